import CProcessSupport
import LifeboatCLI

/// Hands the command line to `LifeboatCLI`, with the C allocator bounded first
/// (`lifeboat_bound_malloc`): memory a command freed is not kept per thread.
@main
struct Entrypoint {
    static func main() async {
        lifeboat_bound_malloc()
        await Lifeboat.main()
    }
}
