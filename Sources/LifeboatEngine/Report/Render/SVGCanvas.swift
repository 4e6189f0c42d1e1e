import Foundation

/// An inline SVG image built element by element. Every text and tooltip goes
/// through `Markup.escape`; the image references nothing outside itself (no
/// namespace URL either: inline SVG in HTML does not need one).
struct SVGCanvas {
    enum Anchor: String { case start, middle, end }

    let width: Double
    /// Charts whose layout flows (a legend that wraps) set it once drawn.
    var height: Double
    private var elements: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String,
                       stroke: String? = nil, tooltip: String? = nil) {
        let strokeAttributes = stroke.map { " stroke=\"\($0)\" stroke-width=\"1\"" } ?? ""
        element("rect", "x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(width, 0)))\" height=\"\(n(max(height, 0)))\" fill=\"\(fill)\"\(strokeAttributes)",
                tooltip: tooltip)
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1, dashed: Bool = false) {
        let dash = dashed ? " stroke-dasharray=\"5 4\"" : ""
        element("line", "x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"\(dash)")
    }

    mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double = 1) {
        guard points.count > 1 else { return }
        let list = points.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ")
        element("polyline", "points=\"\(list)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"")
    }

    mutating func circle(x: Double, y: Double, radius: Double, fill: String, tooltip: String? = nil) {
        element("circle", "cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(radius))\" fill=\"\(fill)\" stroke=\"#ffffff\" stroke-width=\"1\"", tooltip: tooltip)
    }

    /// An × centred on the point: how the charts mark a drill that did not pass.
    mutating func cross(x: Double, y: Double, size: Double, stroke: String, tooltip: String? = nil) {
        let d = "M\(n(x - size)),\(n(y - size))L\(n(x + size)),\(n(y + size))M\(n(x - size)),\(n(y + size))L\(n(x + size)),\(n(y - size))"
        element("path", "d=\"\(d)\" stroke=\"\(stroke)\" stroke-width=\"2.2\" stroke-linecap=\"round\" fill=\"none\"", tooltip: tooltip)
    }

    mutating func text(_ text: String, x: Double, y: Double, size: Double = 11, anchor: Anchor = .start,
                       fill: String = ChartPalette.ink, bold: Bool = false) {
        let weight = bold ? " font-weight=\"bold\"" : ""
        elements.append("<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor.rawValue)\" "
            + "fill=\"\(fill)\"\(weight)>\(Markup.escape(text))</text>")
    }

    /// The finished `<svg>` element, scaling to the width of its container;
    /// `title` is what screen readers (and hovering browsers) announce.
    func svg(title: String) -> String {
        "<svg class=\"chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" "
            + "font-family=\"DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif\"><title>\(Markup.escape(title))</title>\n"
            + elements.joined(separator: "\n") + "\n</svg>"
    }

    /// An approximate rendered width of `text` at `size`, for laying out labels.
    static func textWidth(_ text: String, size: Double) -> Double {
        Double(text.count) * size * 0.58
    }

    private mutating func element(_ name: String, _ attributes: String, tooltip: String? = nil) {
        if let tooltip {
            elements.append("<\(name) \(attributes)><title>\(Markup.escape(tooltip))</title></\(name)>")
        } else {
            elements.append("<\(name) \(attributes)/>")
        }
    }

    /// Coordinates with at most one decimal: `12`, `12.5`.
    private func n(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }
}
