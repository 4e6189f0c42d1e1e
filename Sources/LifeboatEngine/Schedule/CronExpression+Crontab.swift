extension CronExpression {
    /// The five fields as Debian's cron reads them: shorthands written out, and
    /// a step on a single value (`5/15`, which Debian's cron refuses) written as
    /// a range to the field's end (`5-59/15`). Everything else stays as written,
    /// so a leading `*` keeps its meaning for the day fields.
    var crontabFields: [String] {
        let expanded = Self.shorthands[source.lowercased()] ?? source
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let ends = ["59", "23", "31", "12", "7"]
        return zip(fields, ends).map { field, end in
            field.split(separator: ",").map { item -> String in
                let parts = item.split(separator: "/")
                guard parts.count == 2, parts[0] != "*", !parts[0].contains("-") else { return String(item) }
                return "\(parts[0])-\(end)/\(parts[1])"
            }.joined(separator: ",")
        }
    }
}
