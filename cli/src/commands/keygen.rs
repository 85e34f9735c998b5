//! `printseal keygen`: a new identity or KEK, written with mode 0600.

use std::io::Write;

use printseal::{Kek, X25519Identity, XWingIdentity};
use zeroize::Zeroizing;

use crate::cli::KeygenArgs;
use crate::error::{CliError, Result};
use crate::files::AtomicFile;
use crate::keys::hex;
use crate::time::{format_time, now};

pub(crate) fn run(args: &KeygenArgs) -> Result<()> {
    let rng_err = |e: printseal::Error| CliError::core("generating a key", e);
    let created = format_time(now());
    let (text, public) = if args.kek {
        let k = Kek::generate().map_err(rng_err)?;
        let id = hex(k.id());
        let mut t = Zeroizing::new(format!(
            "# created: {created}\n# key-encryption key, key id: {id}\n"
        ));
        t.push_str(&k.to_secret_string());
        t.push('\n');
        (t, format!("KEK key id: {id}"))
    } else if args.x25519 {
        let k = X25519Identity::generate().map_err(rng_err)?;
        let public = k.to_public().to_string();
        let mut t = Zeroizing::new(format!("# created: {created}\n# recipient: {public}\n"));
        t.push_str(&k.to_secret_string());
        t.push('\n');
        (t, format!("Public key: {public}"))
    } else {
        let k = XWingIdentity::generate().map_err(rng_err)?;
        let public = k.to_public().to_string();
        let mut t = Zeroizing::new(format!("# created: {created}\n# recipient: {public}\n"));
        t.push_str(&k.to_secret_string());
        t.push('\n');
        (t, format!("Public key: {public}"))
    };
    match &args.output {
        Some(path) if path.as_os_str() != "-" => {
            let mut f = AtomicFile::create(path, 0o600, true)?;
            f.file()
                .write_all(text.as_bytes())
                .map_err(|e| CliError::io(&path.display().to_string(), &e))?;
            f.commit()?;
        }
        _ => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| CliError::io("standard output", &e))?;
        }
    }
    eprintln!("{public}");
    Ok(())
}
