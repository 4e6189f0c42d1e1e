import ArgumentParser
import LifeboatEngine

/// The root command: `lifeboat <subcommand>`.
public struct Lifeboat: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lifeboat",
        abstract: "PostgreSQL backup, restore and disaster-recovery drills.",
        discussion: """
            Every command reads a policy file (--policy, or the LIFEBOAT_POLICY environment variable).
            Exit codes: 0 success; 1 operation failed; 2 bad policy or configuration;
            3 objectives missed or check found a problem; 4 locked by another run;
            5 integrity failure; 6 cannot unlock the repository.
            Shell completions: lifeboat --generate-completion-script bash|zsh|fish
            """,
        version: LifeboatVersion.current,
        subcommands: [InitCommand.self, BackupCommand.self, ListCommand.self, RestoreCommand.self, VerifyCommand.self, PruneCommand.self, PinCommand.self, UnpinCommand.self,
                      WALPushCommand.self, WALFetchCommand.self, WALPrefetchCommand.self, DrillCommand.self, DrillGuardCommand.self, ReportCommand.self, LogCommand.self, ScheduleCommand.self, CheckCommand.self, KeyCommand.self]
    )

    public init() {}
}
