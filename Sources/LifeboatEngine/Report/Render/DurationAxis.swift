/// A duration axis starting at zero: a round maximum just above the largest
/// value, and ticks at a step people count in (10s, 30s, 5m, 15m, 1h …).
struct DurationAxis {
    /// The value at the far end of the axis.
    let maximum: Double
    /// Tick values from zero to `maximum`, inclusive.
    let ticks: [Double]

    private static let steps: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1200, 1800,
                                          3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800]

    /// An axis covering `largest` (and a little room beyond), with at most
    /// `maxTicks` steps. A non-positive `largest` gets a one-minute axis.
    init(covering largest: Double, maxTicks: Int = 6) {
        let value = largest > 0 ? largest * 1.04 : 60
        let week = 604_800.0
        let step = Self.steps.first { (value / $0).rounded(.up) <= Double(maxTicks) }
            ?? week * (value / week / Double(maxTicks)).rounded(.up)
        let count = Int((value / step).rounded(.up))
        maximum = Double(count) * step
        ticks = (0...count).map { Double($0) * step }
    }

    /// Where `seconds` falls along the axis, from 0 to 1 (clamped).
    func fraction(_ seconds: Double) -> Double {
        min(max(seconds / maximum, 0), 1)
    }
}
