//! agentbay-local: a local AgentBay-compatible server.
use std::process::ExitCode;

fn main() -> ExitCode {
    // The sandbox runs this same binary inside bubblewrap to perform filesystem tools;
    // that hidden mode must be recognised before any normal argument parsing.
    if std::env::args_os().nth(1).is_some_and(|a| a == agentbay_local::sandbox::HELPER_SUBCOMMAND) {
        return agentbay_local::sandbox::helper_main();
    }
    ExitCode::SUCCESS
}
