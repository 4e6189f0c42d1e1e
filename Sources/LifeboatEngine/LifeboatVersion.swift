/// lifeboat's own version, recorded in every manifest and printed by `--version`.
public enum LifeboatVersion {
    public static let current = "0.1.0"
}
