//! Interop through the C ABI's entry points, called from Rust: a job sealed through
//! the C ABI opens with the Rust API, and a job sealed with the Rust API opens through
//! the C ABI, for every recipient kind; damage gives the same error both ways.

use std::ptr::{null, null_mut};

use printseal::{Identity, Kek, Recipient, SealOptions, X25519Identity, XWingIdentity};
use printseal_ffi::keys::{printseal_identity, printseal_recipient};
use printseal_ffi::open::printseal_opener;
use printseal_ffi::printseal_status;
use printseal_ffi::seal::{printseal_seal_options, printseal_sealer};

fn plaintext(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 251) as u8).collect()
}

/// Seals through the C ABI.
fn c_seal(recipients: &[*const printseal_recipient], pt: &[u8]) -> Vec<u8> {
    let ct = "application/pdf";
    let mut opts: *mut printseal_seal_options = null_mut();
    assert_eq!(
        printseal_seal_options::printseal_seal_options_new(ct.as_ptr().cast(), ct.len(), &mut opts),
        printseal_status::Ok
    );
    let mut s: *mut printseal_sealer = null_mut();
    assert_eq!(
        printseal_sealer::printseal_sealer_new(opts, recipients.as_ptr(), recipients.len(), &mut s),
        printseal_status::Ok
    );
    let mut out = vec![0u8; printseal_sealer::printseal_sealer_update_output_len(s, pt.len())];
    let mut w = 0;
    assert_eq!(
        printseal_sealer::printseal_sealer_update(
            s,
            pt.as_ptr(),
            pt.len(),
            out.as_mut_ptr(),
            out.len(),
            &mut w
        ),
        printseal_status::Ok
    );
    out.truncate(w);
    let mut tail = vec![0u8; printseal_sealer::printseal_sealer_finish_output_len(s)];
    assert_eq!(
        printseal_sealer::printseal_sealer_finish(s, tail.as_mut_ptr(), tail.len(), &mut w),
        printseal_status::Ok
    );
    out.extend_from_slice(&tail[..w]);
    printseal_sealer::printseal_sealer_free(s);
    printseal_seal_options::printseal_seal_options_free(opts);
    out
}

/// Opens through the C ABI; returns the status and the plaintext released.
fn c_open(id: *const printseal_identity, job: &[u8]) -> (printseal_status, Vec<u8>) {
    let mut o: *mut printseal_opener = null_mut();
    assert_eq!(
        printseal_opener::printseal_opener_new(null(), &id, 1, &mut o),
        printseal_status::Ok
    );
    let mut out = Vec::new();
    let mut st = printseal_status::Ok;
    for piece in job.chunks(5000) {
        let need = printseal_opener::printseal_opener_update_output_len(o, piece.len());
        let mut buf = vec![0u8; need];
        let (mut c, mut w) = (0, 0);
        st = printseal_opener::printseal_opener_update(
            o,
            piece.as_ptr(),
            piece.len(),
            buf.as_mut_ptr(),
            buf.len(),
            &mut c,
            &mut w,
        );
        if st != printseal_status::Ok {
            break;
        }
        out.extend_from_slice(&buf[..w]);
    }
    if st == printseal_status::Ok {
        let mut buf = vec![0u8; printseal_opener::printseal_opener_finish_output_len(o)];
        let mut w = 0;
        st = printseal_opener::printseal_opener_finish(o, buf.as_mut_ptr(), buf.len(), &mut w);
        out.extend_from_slice(&buf[..w]);
    }
    printseal_opener::printseal_opener_free(o);
    (st, out)
}

/// A Rust identity, its recipient, and the same identity as a C handle.
type Key = (
    Box<dyn Identity>,
    Box<dyn Recipient>,
    *const printseal_identity,
);

/// The three kinds as (Rust identity, C identity handle made from its text or bytes).
fn keys() -> Vec<Key> {
    let mut v: Vec<Key> = Vec::new();
    let kek = Kek::new([7; 16], [9; 32]);
    let mut h: *const printseal_identity = null();
    let (id, key) = ([7u8; 16], [9u8; 32]);
    assert_eq!(
        printseal_identity::printseal_identity_from_kek(id.as_ptr(), 16, key.as_ptr(), 32, &mut h),
        printseal_status::Ok
    );
    v.push((Box::new(kek.clone()), Box::new(kek), h));
    let x = X25519Identity::generate().expect("x25519");
    let text = x.to_secret_string();
    let mut h: *const printseal_identity = null();
    assert_eq!(
        printseal_identity::printseal_identity_parse(text.as_ptr().cast(), text.len(), &mut h),
        printseal_status::Ok
    );
    v.push((Box::new(x.clone()), Box::new(x.to_public()), h));
    let w = XWingIdentity::generate().expect("xwing");
    let text = w.to_secret_string();
    let mut h: *const printseal_identity = null();
    assert_eq!(
        printseal_identity::printseal_identity_parse(text.as_ptr().cast(), text.len(), &mut h),
        printseal_status::Ok
    );
    v.push((Box::new(w.clone()), Box::new(w.to_public()), h));
    v
}

#[test]
fn sealed_in_c_opens_in_rust_and_back() {
    for (rust_id, rust_rcpt, c_id) in keys() {
        let mut c_rcpt: *const printseal_recipient = null();
        assert_eq!(
            printseal_identity::printseal_identity_to_recipient(c_id, &mut c_rcpt),
            printseal_status::Ok
        );
        for n in [0, 1, 16384, 100_000] {
            let pt = plaintext(n);
            // C seals, Rust opens.
            let job = c_seal(&[c_rcpt], &pt);
            let opened = printseal::open(&job, &[rust_id.as_ref()]).expect("Rust opens C's job");
            assert_eq!(opened.plaintext, pt);
            // Rust seals, C opens.
            let job = printseal::seal(
                &SealOptions::new("application/pdf"),
                &[rust_rcpt.as_ref()],
                &pt,
            )
            .expect("seal");
            let (st, out) = c_open(c_id, &job);
            assert_eq!(st, printseal_status::Ok);
            assert_eq!(out, pt);
            // The same damage, the same error both ways.
            let mut bad = job.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            let rust_err = printseal::open(&bad, &[rust_id.as_ref()]).expect_err("damaged");
            let (st, _) = c_open(c_id, &bad);
            assert_eq!(st as u32, rust_err.code().as_u32());
            let cut = &job[..job.len() - 17];
            let rust_err = printseal::open(cut, &[rust_id.as_ref()]).expect_err("cut");
            let (st, _) = c_open(c_id, cut);
            assert_eq!(st as u32, rust_err.code().as_u32());
        }
        printseal_recipient::printseal_recipient_free(c_rcpt);
        printseal_identity::printseal_identity_free(c_id);
    }
}

#[test]
fn key_texts_cross_both_ways() {
    let x = X25519Identity::generate().expect("x25519");
    let text = x.to_secret_string();
    let mut h: *const printseal_identity = null();
    assert_eq!(
        printseal_identity::printseal_identity_parse(text.as_ptr().cast(), text.len(), &mut h),
        printseal_status::Ok
    );
    let mut r: *const printseal_recipient = null();
    assert_eq!(
        printseal_identity::printseal_identity_to_recipient(h, &mut r),
        printseal_status::Ok
    );
    let mut buf = vec![0u8; 200];
    let mut n = 0;
    assert_eq!(
        printseal_recipient::printseal_recipient_encode(
            r,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut n
        ),
        printseal_status::Ok
    );
    assert_eq!(
        std::str::from_utf8(&buf[..n]).expect("utf8"),
        x.to_public().to_string()
    );
    printseal_recipient::printseal_recipient_free(r);
    printseal_identity::printseal_identity_free(h);
}
