/// The colours the charts share. Phase colours step in lightness as well as
/// hue, so the segments stay apart when the report is printed in grey.
enum ChartPalette {
    static let ink = "#1a1a1a"
    static let muted = "#5c5c5c"
    static let axis = "#8a8a8a"
    static let grid = "#e2e2e2"
    static let band = "#f4f4f4"
    static let currentBand = "#e6eef7"
    static let target = "#3a3a3a"
    static let passed = "#1f3b63"
    static let failed = "#c0392b"
    static let series = "#9aa7b8"
}
