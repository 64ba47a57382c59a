//! The example programs' command lines: `--flag value` pairs, `--help`,
//! and the exit codes every program shares (0 done, 1 failed, 2 bad flags).

use std::fmt::Display;
use std::process::ExitCode;
use std::str::FromStr;

/// Reads the process's `--flag value` pairs into `target` with `set`
/// (which refuses unknown flags and bad values); `None` when `--help` or
/// `-h` was asked for.
pub fn parse<T>(
    mut target: T,
    mut set: impl FnMut(&mut T, &str, &str) -> Result<(), String>,
) -> Result<Option<T>, String> {
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Ok(None);
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        set(&mut target, &flag, &value)?;
    }
    Ok(Some(target))
}

/// `value` as a number, or an error that names `flag`.
pub fn number<N: FromStr>(flag: &str, value: &str) -> Result<N, String>
where
    N::Err: Display,
{
    value.parse().map_err(|e| format!("{flag} {value}: {e}"))
}

/// The error for a flag nobody knows.
pub fn unknown(flag: &str) -> String {
    format!("unknown flag {flag} (see --help)")
}

/// Runs a program: `help` on `--help` (exit 0), the error and `help` on
/// bad flags (exit 2), else `body`, whose error is printed after `name`
/// (exit 1).
pub fn run<T>(
    name: &str,
    help: &str,
    parsed: Result<Option<T>, String>,
    body: impl FnOnce(T) -> Result<(), String>,
) -> ExitCode {
    match parsed {
        Ok(None) => {
            println!("{help}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{name}: {e}\n\n{help}");
            ExitCode::from(2)
        }
        Ok(Some(args)) => match body(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{name}: {e}");
                ExitCode::FAILURE
            }
        },
    }
}
