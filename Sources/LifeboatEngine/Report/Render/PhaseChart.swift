/// Where each drill's recovery time went: one horizontal bar per drill, its
/// segments the phases (fetch, restore, WAL replay, verification) in the same
/// colours throughout, a dashed line at the RTO target, and an axis in human
/// durations.
enum PhaseChart {
    private static let width = 680.0
    private static let labelWidth = 168.0
    private static let totalWidth = 92.0
    private static let rowHeight = 34.0
    private static let barHeight = 18.0

    /// The chart for `drills` (at least one) against `rtoTarget`, dates shown by `clock`.
    static func svg(_ drills: [DrillRecord], rtoTarget: Double?, clock: ReportClock) -> String {
        let legend = RecoveryPhase.legend(for: drills)
        let plotLeft = labelWidth
        let plotWidth = width - labelWidth - totalWidth
        // A target far beyond every bar would shrink the bars to slivers: the
        // axis then covers the bars, and the target is noted off the scale.
        let longest = drills.map(\.phaseSeconds).max() ?? 0
        let targetOnScale = rtoTarget.map { $0 <= max(longest, 1) * 4 } ?? false
        let axis = DurationAxis(covering: targetOnScale ? max(longest, rtoTarget ?? 0) : longest)
        var canvas = SVGCanvas(width: width, height: 0)

        let plotTop = drawLegend(legend, hasTarget: rtoTarget != nil, on: &canvas) + 22
        let plotBottom = plotTop + rowHeight * Double(drills.count)
        for tick in axis.ticks {
            let x = plotLeft + plotWidth * axis.fraction(tick)
            canvas.line(x1: x, y1: plotTop, x2: x, y2: plotBottom, stroke: ChartPalette.grid)
            canvas.text(DurationFormat.compact(tick), x: x, y: plotBottom + 14, size: 10, anchor: .middle, fill: ChartPalette.muted)
        }
        canvas.line(x1: plotLeft, y1: plotBottom, x2: plotLeft + plotWidth, y2: plotBottom, stroke: ChartPalette.axis)
        canvas.text("time to recover (RTO), by phase", x: plotLeft + plotWidth / 2, y: plotBottom + 29,
                    size: 10, anchor: .middle, fill: ChartPalette.muted)

        for (row, drill) in drills.enumerated() {
            let top = plotTop + rowHeight * Double(row)
            let barTop = top + (rowHeight - barHeight) / 2
            canvas.text(clock.dateTime(drill.startedAt), x: 0, y: top + 15, size: 10.5)
            canvas.text(drill.id, x: 0, y: top + 28, size: 9, fill: ChartPalette.muted)
            var x = plotLeft
            for (phase, seconds) in drill.phaseTotals(in: legend) {
                let segment = plotWidth * axis.fraction(seconds)
                canvas.rect(x: x, y: barTop, width: segment, height: barHeight, fill: phase.colour, stroke: "#ffffff",
                            tooltip: "\(phase.label): \(DurationFormat.precise(seconds))")
                x += segment
            }
            let missed = drill.rtoMet == false || drill.rtoSeconds == nil
            canvas.text(totalLabel(drill), x: x + 5, y: barTop + 13, size: 10.5,
                        fill: missed ? ChartPalette.failed : ChartPalette.ink, bold: true)
        }

        if let rtoTarget, !targetOnScale {
            canvas.text("target \(DurationFormat.compact(rtoTarget)) →", x: plotLeft + plotWidth, y: plotTop - 9, size: 10, anchor: .end,
                        fill: ChartPalette.target)
        } else if let rtoTarget {
            let x = plotLeft + plotWidth * axis.fraction(rtoTarget)
            canvas.line(x1: x, y1: plotTop - 6, x2: x, y2: plotBottom, stroke: ChartPalette.target, width: 1.5, dashed: true)
            canvas.text("target \(DurationFormat.compact(rtoTarget))", x: x, y: plotTop - 9, size: 10, anchor: .middle, fill: ChartPalette.target)
        }
        canvas.height = plotBottom + 36
        return canvas.svg(title: "Recovery time by phase for \(drills.count == 1 ? "the drill" : "each drill")")
    }

    /// After the bar: the RTO (with ✗ when over target), or how a failed drill ended.
    private static func totalLabel(_ drill: DrillRecord) -> String {
        guard let rto = drill.rtoSeconds else {
            return drill.phases.isEmpty ? "✗ no restore" : "✗ failed"
        }
        return DurationFormat.precise(rto) + (drill.rtoMet == false ? " ✗" : "")
    }

    /// Swatches and labels across the top, wrapping when the line is full;
    /// returns the bottom of the legend.
    private static func drawLegend(_ legend: [RecoveryPhase], hasTarget: Bool, on canvas: inout SVGCanvas) -> Double {
        var x = 0.0
        var y = 2.0
        func place(_ itemWidth: Double) {
            if x + itemWidth > width, x > 0 {
                x = 0
                y += 18
            }
        }
        for phase in legend {
            let itemWidth = 17 + SVGCanvas.textWidth(phase.label, size: 10.5) + 18
            place(itemWidth)
            canvas.rect(x: x, y: y, width: 12, height: 12, fill: phase.colour, stroke: ChartPalette.axis)
            canvas.text(phase.label, x: x + 17, y: y + 10, size: 10.5)
            x += itemWidth
        }
        if hasTarget {
            let label = "RTO target"
            place(14 + SVGCanvas.textWidth(label, size: 10.5))
            canvas.line(x1: x + 5, y1: y - 1, x2: x + 5, y2: y + 13, stroke: ChartPalette.target, width: 1.5, dashed: true)
            canvas.text(label, x: x + 13, y: y + 10, size: 10.5)
        }
        return y + 14
    }
}
