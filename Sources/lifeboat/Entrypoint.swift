import LifeboatCLI

/// Hands the command line to `LifeboatCLI`.
@main
struct Entrypoint {
    static func main() async {
        await Lifeboat.main()
    }
}
