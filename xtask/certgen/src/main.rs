//! `certgen DIR`: writes the example's test certificates into `DIR` (see the library docs).

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: certgen DIR");
        return std::process::ExitCode::FAILURE;
    };
    match certgen::generate(std::path::Path::new(&dir)) {
        Ok(written) => {
            for cert in written {
                println!("certgen: {}", cert.display());
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("certgen: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
