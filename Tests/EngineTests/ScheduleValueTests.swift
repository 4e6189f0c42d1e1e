import LifeboatEngine
import Testing

@Suite struct PolicyDurationTests {
    @Test(arguments: [("90s", 90), ("15m", 900), ("4h", 14_400), ("7d", 604_800), ("2w", 1_209_600), ("1h30m", 5_400)])
    func parses(_ text: String, _ seconds: Int) {
        #expect(PolicyDuration(parsing: text)?.seconds == seconds)
    }

    @Test(arguments: ["", "15", "m", "15x", "-5m", "0s", "1.5h", "99999999999999999999d"])
    func rejects(_ text: String) {
        #expect(PolicyDuration(parsing: text) == nil)
    }

    @Test func printsShortestForm() {
        #expect(PolicyDuration(seconds: 5_400).description == "1h30m")
        #expect(PolicyDuration(seconds: 86_400).description == "1d")
    }
}

@Suite struct CronExpressionTests {
    @Test func parsesListsRangesStepsAndNames() throws {
        let c = try CronExpression(parsing: "*/20 9-17/4 * jan,jul mon-fri")
        #expect(c.minutes == [0, 20, 40])
        #expect(c.hours == [9, 13, 17])
        #expect(c.months == [1, 7])
        #expect(c.daysOfWeek == [1, 2, 3, 4, 5])
        #expect(try CronExpression(parsing: "0 0 * * 7").daysOfWeek == [0])
        #expect(try CronExpression(parsing: "@daily").hours == [0])
    }

    @Test(arguments: [("0 2 * * *", 86_400), ("*/15 * * * *", 900), ("0 0 * * 1-5", 3 * 86_400),
                      ("0 6 1 1,4,7,10 *", 92 * 86_400), ("0 0,12 * * *", 43_200), ("30 3 * * 0", 7 * 86_400)])
    func longestGap(_ line: String, _ seconds: Int) throws {
        #expect(try CronExpression(parsing: line).longestGap.seconds == seconds)
    }

    @Test(arguments: ["0 2 * *", "0 2 * * * *", "0 24 * * *", "x 2 * * *", "0 2 * * 8", "5-1 * * * *", "*/0 * * * *", "@sometimes", "0 0 30 2 *"])
    func rejects(_ line: String) {
        #expect(throws: CronExpression.ParseError.self) { try CronExpression(parsing: line) }
    }
}

@Suite struct ExpectationTests {
    @Test func comparesNumbersAndText() throws {
        #expect(try #require(Expectation(parsing: ">= 1")).isMet(by: "5"))
        #expect(!(try #require(Expectation(parsing: ">= 10")).isMet(by: "9")))
        #expect(try #require(Expectation(parsing: "= 0")).isMet(by: "0.0"))
        #expect(try #require(Expectation(parsing: "== t")).isMet(by: "t"))
        #expect(!(try #require(Expectation(parsing: "!= 0")).isMet(by: nil)))
        #expect(Expectation(parsing: "3") == nil)
    }
}
