//! What a token round trip costs per job: seal and open of a small job through a
//! SoftHSM2 KEK, against the software `Kek` in the same run (ratios, not absolute
//! times, since the machine may be busy). Run by `scripts/bench-pkcs11.sh`, which
//! makes a throw-away token directory and points `SOFTHSM2_CONF` at it.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use printseal::{Identity, Kek, Recipient, SealOptions};
use printseal_pkcs11::{Pkcs11Kek, Pkcs11Uri};

const PIN: &str = "bench-user-pin";

/// Runs `f` repeatedly for about `budget`, returns operations per second.
fn rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    // Warm-up.
    for _ in 0..20 {
        f();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for _ in 0..10 {
            f();
        }
        n += 10;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let module = std::env::var("PRINTSEAL_PKCS11_MODULE")
        .unwrap_or_else(|_| "/usr/lib/softhsm/libsofthsm2.so".to_owned());
    assert!(
        std::env::var_os("SOFTHSM2_CONF").is_some(),
        "run through scripts/bench-pkcs11.sh (SOFTHSM2_CONF unset)"
    );
    // A fresh token with a user PIN.
    let ctx = Pkcs11::new(&module).unwrap();
    ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .unwrap();
    let slot = ctx.get_all_slots().unwrap()[0];
    ctx.init_token(slot, &AuthPin::from("bench-so-pin"), "bench")
        .unwrap();
    let slot = ctx.get_slots_with_initialized_token().unwrap()[0];
    {
        let s = ctx.open_rw_session(slot).unwrap();
        s.login(UserType::So, Some(&AuthPin::from("bench-so-pin")))
            .unwrap();
        s.init_pin(&AuthPin::from(PIN)).unwrap();
    }
    let uri = Pkcs11Uri::parse(&format!(
        "pkcs11:token=bench;id=%62%65%6e%63%68?module-path={module}"
    ))
    .unwrap();
    let token = Pkcs11Kek::generate_in_token(&uri, Some(PIN)).unwrap();
    let soft = Kek::generate().unwrap();

    let budget = Duration::from_millis(1500);
    let options = SealOptions::new("application/pdf");
    let job = vec![0x42u8; 4096];
    let fk = printseal::FileKey::generate(&mut printseal::rng::seeded_rng([1; 32]));
    let mut rng = printseal::rng::seeded_rng([2; 32]);

    let tok_stanza = token.wrap_file_key(&fk, &mut rng).unwrap();
    let soft_stanza = soft.wrap_file_key(&fk, &mut rng).unwrap();
    let wrap_t = rate(budget, || {
        token.wrap_file_key(&fk, &mut rng).unwrap();
    });
    let wrap_s = rate(budget, || {
        soft.wrap_file_key(&fk, &mut rng).unwrap();
    });
    let unwrap_t = rate(budget, || {
        token.unwrap_stanza(&tok_stanza).unwrap().unwrap();
    });
    let unwrap_s = rate(budget, || {
        soft.unwrap_stanza(&soft_stanza).unwrap().unwrap();
    });
    let tok_job = printseal::seal(&options, &[&token], &job).unwrap();
    let soft_job = printseal::seal(&options, &[&soft], &job).unwrap();
    let job_t = rate(budget, || {
        let sealed = printseal::seal(&options, &[&token], &job).unwrap();
        printseal::open(&sealed, &[&token]).unwrap();
    });
    let job_s = rate(budget, || {
        let sealed = printseal::seal(&options, &[&soft], &job).unwrap();
        printseal::open(&sealed, &[&soft]).unwrap();
    });
    // Skipping a stanza for another key id costs no token call: compare with software.
    let other = printseal::seal(&options, &[&Kek::generate().unwrap()], &job).unwrap();
    let skip_t = rate(budget, || {
        assert!(printseal::open(&other, &[&token]).is_err());
    });
    let skip_s = rate(budget, || {
        assert!(printseal::open(&other, &[&soft]).is_err());
    });
    assert_eq!(tok_job.len(), soft_job.len());

    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average: {}", load.trim());
    println!("operation                       token/s   software/s   token/software");
    for (name, t, s) in [
        ("wrap file key (C_WrapKey)", wrap_t, wrap_s),
        ("unwrap stanza (C_UnwrapKey)", unwrap_t, unwrap_s),
        ("seal + open 4 KiB job", job_t, job_s),
        ("skip other key id (no match)", skip_t, skip_s),
    ] {
        println!("{name:<30} {t:>9.0} {s:>12.0} {:>16.3}", t / s);
    }
}
