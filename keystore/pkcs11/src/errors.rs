//! cryptoki's errors as printseal's key-store error, in one place.
//!
//! Every detail is built from names and return-value codes (the module path, the token
//! label, the PKCS#11 function and `CKR_*` name): never a PIN or key material.

use cryptoki::error::{Error as CkError, RvError};
use printseal::{Error, KeyStoreError, KeyStoreFailure};

/// A key-store error of kind `failure`.
pub(crate) fn ks(failure: KeyStoreFailure, detail: impl Into<String>) -> Error {
    Error::KeyStore(KeyStoreError::new(failure, detail))
}

/// The failure class of a PKCS#11 return value.
pub(crate) fn failure_of(rv: RvError) -> KeyStoreFailure {
    use RvError as R;
    match rv {
        R::TokenNotPresent | R::TokenNotRecognized | R::DeviceRemoved | R::SlotIdInvalid => {
            KeyStoreFailure::TokenAbsent
        }
        R::PinIncorrect
        | R::PinInvalid
        | R::PinLenRange
        | R::PinExpired
        | R::PinLocked
        | R::UserPinNotInitialized
        | R::UserNotLoggedIn => KeyStoreFailure::PinIncorrect,
        R::KeyHandleInvalid
        | R::ObjectHandleInvalid
        | R::WrappingKeyHandleInvalid
        | R::UnwrappingKeyHandleInvalid => KeyStoreFailure::KeyNotFound,
        R::KeyFunctionNotPermitted
        | R::KeyTypeInconsistent
        | R::WrappingKeyTypeInconsistent
        | R::UnwrappingKeyTypeInconsistent
        | R::WrappingKeySizeRange
        | R::UnwrappingKeySizeRange
        | R::KeyUnextractable
        | R::KeyNotWrappable => KeyStoreFailure::KeyNotPermitted,
        R::CryptokiNotInitialized | R::LibraryLoadFailed => KeyStoreFailure::ModuleUnavailable,
        _ => KeyStoreFailure::Other,
    }
}

/// A cryptoki error as a key-store error, with `context` (what was being done) first.
pub(crate) fn from_cryptoki(context: &str, e: &CkError) -> Error {
    let failure = match e {
        CkError::Pkcs11(rv, _) => failure_of(*rv),
        CkError::LibraryLoading(_) | CkError::MissingSymbol(_) | CkError::NullFunctionPointer => {
            KeyStoreFailure::ModuleUnavailable
        }
        _ => KeyStoreFailure::Other,
    };
    ks(failure, format!("{context}: {e}"))
}

/// Whether a failed call leaves the session unusable, so that it is closed rather
/// than returned to the pool.
pub(crate) fn session_broken(e: &CkError) -> bool {
    matches!(
        e,
        CkError::Pkcs11(
            RvError::SessionHandleInvalid
                | RvError::SessionClosed
                | RvError::DeviceRemoved
                | RvError::DeviceError
                | RvError::TokenNotPresent
                | RvError::CryptokiNotInitialized
                | RvError::OperationActive,
            _
        )
    )
}

/// Whether an unwrap failed because the wrapped bytes do not pass the RFC 5649
/// integrity check under this KEK: the stanza's fault (wrong key for the id, or a
/// damaged stanza), reported as [`Error::StanzaUnwrap`] like the software KEK does.
pub(crate) fn is_bad_wrap(e: &CkError) -> bool {
    matches!(
        e,
        CkError::Pkcs11(
            RvError::WrappedKeyInvalid
                | RvError::WrappedKeyLenRange
                | RvError::EncryptedDataInvalid
                | RvError::EncryptedDataLenRange
                | RvError::DataInvalid
                | RvError::DataLenRange,
            _
        )
    )
}

/// A return value that names no cause (`CKR_GENERAL_ERROR`, `CKR_FUNCTION_FAILED`).
pub(crate) fn is_vague(e: &CkError) -> bool {
    matches!(
        e,
        CkError::Pkcs11(RvError::GeneralError | RvError::FunctionFailed, _)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use cryptoki::context::Function;

    #[test]
    fn return_values_map_to_failures() {
        let cases = [
            (RvError::PinIncorrect, KeyStoreFailure::PinIncorrect),
            (RvError::PinLocked, KeyStoreFailure::PinIncorrect),
            (RvError::TokenNotPresent, KeyStoreFailure::TokenAbsent),
            (RvError::DeviceRemoved, KeyStoreFailure::TokenAbsent),
            (
                RvError::KeyFunctionNotPermitted,
                KeyStoreFailure::KeyNotPermitted,
            ),
            (RvError::KeyHandleInvalid, KeyStoreFailure::KeyNotFound),
            (
                RvError::CryptokiNotInitialized,
                KeyStoreFailure::ModuleUnavailable,
            ),
            (RvError::GeneralError, KeyStoreFailure::Other),
            (RvError::MechanismInvalid, KeyStoreFailure::Other),
        ];
        for (rv, want) in cases {
            assert_eq!(failure_of(rv), want, "{rv:?}");
            let e = from_cryptoki("unwrap", &CkError::Pkcs11(rv, Function::UnwrapKey));
            match e {
                Error::KeyStore(k) => {
                    assert_eq!(k.failure(), want);
                    assert!(k.detail().starts_with("unwrap: "), "{}", k.detail());
                }
                other => unreachable!("{other:?}"),
            }
        }
        let bad = CkError::Pkcs11(RvError::WrappedKeyInvalid, Function::UnwrapKey);
        assert!(is_bad_wrap(&bad) && !session_broken(&bad));
        let gone = CkError::Pkcs11(RvError::SessionHandleInvalid, Function::WrapKey);
        assert!(!is_bad_wrap(&gone) && session_broken(&gone));
    }
}
