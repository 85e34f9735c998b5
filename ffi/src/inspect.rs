//! Header inspection without a key: public metadata and the recipients' key ids.
//!
//! Nothing in a header is authenticated until an opener unlocked it: use what you read
//! here to sort jobs and pick keys, not to trust them.

use printseal::Header;

use crate::error::{map_error, printseal_status};
use crate::ffi::{Castable, OwnershipBox, free_box, to_boxed_mut_ptr, try_out, try_ref, try_slice};
use crate::panic::ffi_panic_boundary;
use crate::slice::{printseal_slice, printseal_str};

/// A parsed header.
///
/// Two kinds of pointer: from `printseal_header_parse`, owned by the caller (a
/// `Box<Header>`; free it with `printseal_header_free`); from
/// `printseal_opener_header`, borrowed from the opener (never free that one; it is
/// valid until the next call that changes the opener). Read-only: any thread may read
/// one header at once. Strings it returns are borrowed from it.
pub struct printseal_header {
    _private: [u8; 0],
}

impl Castable for printseal_header {
    type Ownership = OwnershipBox;
    type RustType = Header;
}

/// The length of the key id a stanza body of this kind starts with.
fn key_id_len(kind: u16) -> Option<usize> {
    use printseal::format::stanza::kind;
    match kind {
        kind::KEK_AES256_KWP => Some(printseal::recipient::kek::KEY_ID_SIZE),
        kind::X25519_HPKE | kind::XWING_HPKE => Some(printseal::recipient::hpke_core::KEY_ID_SIZE),
        _ => None,
    }
}

impl printseal_header {
    /// Parses the header at the start of `input` (`input_len` bytes, which may go on
    /// with the payload). On success `*out` is a header the caller owns.
    ///
    /// Errors: `NULL_PARAMETER`; `TRUNCATED` (the input ends inside the header);
    /// `NOT_PRINTSEAL`, `UNSUPPORTED_VERSION`, `UNSUPPORTED_SUITE`,
    /// `MALFORMED_HEADER`, `LIMIT_EXCEEDED`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_header_parse(
        input: *const u8,
        input_len: usize,
        out: *mut *mut printseal_header,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let out = try_out!(out);
            let input = try_slice!(input, input_len);
            match Header::parse(input) {
                Ok(h) => {
                    *out = to_boxed_mut_ptr(h);
                    printseal_status::Ok
                }
                Err(e) => map_error(&e),
            }
        }
    }

    /// The header's length in bytes: where the payload starts. 0 for NULL.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_header_len(header: *const printseal_header) -> usize {
        ffi_panic_boundary! {
            try_ref!(header).len()
        }
    }

    /// The payload suite (a `printseal_suite`). 0 for NULL.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_header_suite(header: *const printseal_header) -> u32 {
        ffi_panic_boundary! {
            u32::from(try_ref!(header).suite().id())
        }
    }

    /// The payload's MIME type.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_header_content_type(
        header: *const printseal_header,
    ) -> printseal_str {
        ffi_panic_boundary! {
            printseal_str::from_str(&try_ref!(header).public_metadata().content_type)
        }
    }

    /// The producer's name (the software that sealed the job).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_header_producer_name(
        header: *const printseal_header,
    ) -> printseal_str {
        ffi_panic_boundary! {
            printseal_str::from_str(&try_ref!(header).public_metadata().producer_name)
        }
    }

    /// The producer's version.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_header_producer_version(
        header: *const printseal_header,
    ) -> printseal_str {
        ffi_panic_boundary! {
            printseal_str::from_str(&try_ref!(header).public_metadata().producer_version)
        }
    }

    /// The job id; `data` is NULL if the job has none.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_header_job_id(header: *const printseal_header) -> printseal_str {
        ffi_panic_boundary! {
            printseal_str::from_opt(try_ref!(header).public_metadata().job_id.as_deref())
        }
    }

    /// The creation time, seconds since the Unix epoch. 0 for NULL.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_header_created_at(header: *const printseal_header) -> u64 {
        ffi_panic_boundary! {
            try_ref!(header).public_metadata().created
        }
    }

    /// Whether the job has an expiry time; if so it is stored in `*out` (which may be
    /// NULL to ask only).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_header_expires_at(
        header: *const printseal_header,
        out: *mut u64,
    ) -> bool {
        ffi_panic_boundary! {
            let Some(t) = try_ref!(header).public_metadata().expires else {
                return false;
            };
            if !out.is_null() {
                // SAFETY: a non-NULL `out` points at a writable u64 (header contract).
                unsafe { *out = t };
            }
            true
        }
    }

    /// Whether the header records the producer's SBOM SHA-256; if so the 32 bytes are
    /// copied to `out` (which may be NULL to ask only).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_header_sbom_sha256(
        header: *const printseal_header,
        out: *mut u8,
    ) -> bool {
        ffi_panic_boundary! {
            let Some(d) = try_ref!(header).public_metadata().sbom_sha256 else {
                return false;
            };
            if !out.is_null() {
                // SAFETY: a non-NULL `out` has 32 writable bytes (header contract); `d`
                // is a local copy.
                unsafe { core::ptr::copy_nonoverlapping(d.as_ptr(), out, 32) };
            }
            true
        }
    }

    /// How many recipient stanzas the header has. 0 for NULL.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_header_stanza_count(header: *const printseal_header) -> usize {
        ffi_panic_boundary! {
            try_ref!(header).stanzas().len()
        }
    }

    /// Stanza `index`'s kind (into `*kind`) and, for the kinds that have one, its key
    /// id (into `*key_id`, borrowed from the header: 16 bytes for a KEK, 8 for X25519
    /// and X-Wing; `data` NULL for other kinds). Match it against
    /// `printseal_identity_key_id` to pick the identity to unlock with.
    ///
    /// Errors: `NULL_PARAMETER`; `INVALID_INPUT` (`index` out of range).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_header_stanza(
        header: *const printseal_header,
        index: usize,
        kind: *mut u16,
        key_id: *mut printseal_slice,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let header = try_ref!(header);
            let kind = try_out!(kind);
            let key_id = try_out!(key_id);
            let Some(st) = header.stanzas().get(index) else {
                return printseal_status::InvalidInput;
            };
            *kind = st.kind();
            *key_id = key_id_len(st.kind())
                .and_then(|n| st.body().get(..n))
                .map(printseal_slice::from_bytes)
                .unwrap_or_default();
            printseal_status::Ok
        }
    }

    /// Frees a header from `printseal_header_parse`. NULL does nothing. Never pass
    /// one borrowed from an opener.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_header_free(header: *mut printseal_header) {
        ffi_panic_boundary! {
            free_box(header)
        }
    }
}
