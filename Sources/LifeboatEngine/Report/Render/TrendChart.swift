import Foundation

/// RTO or RPO of every drill over the trend periods: time across (one band
/// per period, labelled `2026-Q3`), the figure up (in human durations), a
/// dashed line at the target. Passed drills are dots; drills that did not
/// pass are red crosses — at their figure, or in a "none" strip above the
/// plot when they have no figure (a failed drill has no RTO).
enum TrendChart {
    /// Which figure a chart plots.
    enum Objective {
        case rto, rpo

        var name: String { self == .rto ? "RTO" : "RPO" }

        var meaning: String { self == .rto ? "time to recover" : "data lost" }

        func value(_ point: TrendPoint) -> Double? { self == .rto ? point.rtoSeconds : point.rpoSeconds }
    }

    private static let width = 680.0
    private static let plotLeft = 58.0
    private static let plotRight = 668.0
    private static let headerHeight = 22.0
    private static let noneStrip = 26.0
    private static let plotHeight = 130.0
    private static let axisHeight = 24.0

    /// The chart of `objective` for `points` over `periods` (oldest first, at
    /// least one), `current` shaded.
    static func svg(_ objective: Objective, periods: [ReportPeriod], points: [TrendPoint], target: Double?,
                    current: ReportPeriod) -> String {
        let start = periods.first?.start ?? current.start
        let end = periods.last?.end ?? current.end
        let span = max(end.timeIntervalSince(start), 1)
        func x(_ date: Date) -> Double {
            plotLeft + (plotRight - plotLeft) * min(max(date.timeIntervalSince(start) / span, 0), 1)
        }
        let plotTop = headerHeight + noneStrip
        let plotBottom = plotTop + plotHeight
        let values = points.compactMap(objective.value)
        let axis = DurationAxis(covering: max(values.max() ?? 0, target ?? 0), maxTicks: 5)
        func y(_ seconds: Double) -> Double { plotBottom - plotHeight * axis.fraction(seconds) }

        var canvas = SVGCanvas(width: width, height: plotBottom + axisHeight)
        canvas.text("\(objective.name) per drill (\(objective.meaning))", x: 0, y: 13, size: 11.5, bold: true)
        drawLegend(objective, hasTarget: target != nil, on: &canvas)

        for period in periods {
            let left = x(period.start)
            let right = x(period.end)
            canvas.rect(x: left, y: plotTop, width: right - left, height: plotHeight,
                        fill: period == current ? ChartPalette.currentBand : ChartPalette.band)
            canvas.line(x1: right, y1: plotTop, x2: right, y2: plotBottom, stroke: "#ffffff", width: 2)
            canvas.text(period.label, x: (left + right) / 2, y: plotBottom + 15, size: 10, anchor: .middle,
                        fill: period == current ? ChartPalette.ink : ChartPalette.muted, bold: period == current)
        }
        for tick in axis.ticks {
            canvas.line(x1: plotLeft, y1: y(tick), x2: plotRight, y2: y(tick), stroke: tick == 0 ? ChartPalette.axis : ChartPalette.grid)
            canvas.text(DurationFormat.compact(tick), x: plotLeft - 6, y: y(tick) + 3.5, size: 10, anchor: .end, fill: ChartPalette.muted)
        }
        if let target {
            canvas.line(x1: plotLeft, y1: y(target), x2: plotRight, y2: y(target), stroke: ChartPalette.target, width: 1.5, dashed: true)
            canvas.text("target \(DurationFormat.compact(target))", x: plotRight - 2, y: y(target) - 4, size: 10, anchor: .end,
                        fill: ChartPalette.target)
        }

        let ordered = points.sorted { $0.startedAt < $1.startedAt }
        canvas.polyline(ordered.compactMap { point in objective.value(point).map { (x(point.startedAt), y($0)) } },
                        stroke: ChartPalette.series)
        if ordered.contains(where: { objective.value($0) == nil }) {
            canvas.text("none", x: plotLeft - 6, y: plotTop - 14 + 3.5, size: 10, anchor: .end, fill: ChartPalette.failed)
        }
        for point in ordered {
            let value = objective.value(point)
            let tooltip = "\(point.drillID): \(objective.name) \(value.map(DurationFormat.precise) ?? "none")"
                + (point.passed ? ", passed" : ", did not pass")
            let px = x(point.startedAt)
            let py = value.map(y) ?? plotTop - 14
            if point.passed {
                canvas.circle(x: px, y: py, radius: 4.5, fill: ChartPalette.passed, tooltip: tooltip)
            } else {
                canvas.cross(x: px, y: py, size: 4.5, stroke: ChartPalette.failed, tooltip: tooltip)
            }
        }
        if points.isEmpty {
            canvas.text("no drills in these periods", x: (plotLeft + plotRight) / 2, y: plotTop + plotHeight / 2,
                        size: 11, anchor: .middle, fill: ChartPalette.muted)
        }
        return canvas.svg(title: "\(objective.name) of each drill from \(periods.first?.label ?? current.label) to \(current.label)")
    }

    /// Dot, cross and target line, right-aligned in the header.
    private static func drawLegend(_ objective: Objective, hasTarget: Bool, on canvas: inout SVGCanvas) {
        var x = plotRight
        if hasTarget {
            let label = "\(objective.name) target"
            x -= SVGCanvas.textWidth(label, size: 10)
            canvas.text(label, x: x, y: 13, size: 10)
            canvas.line(x1: x - 28, y1: 9.5, x2: x - 6, y2: 9.5, stroke: ChartPalette.target, width: 1.5, dashed: true)
            x -= 44
        }
        x -= SVGCanvas.textWidth("did not pass", size: 10)
        canvas.text("did not pass", x: x, y: 13, size: 10)
        canvas.cross(x: x - 10, y: 9.5, size: 4, stroke: ChartPalette.failed)
        x -= 32 + SVGCanvas.textWidth("passed", size: 10)
        canvas.text("passed", x: x, y: 13, size: 10)
        canvas.circle(x: x - 10, y: 9.5, radius: 4.5, fill: ChartPalette.passed)
    }
}
