//! The exception classes, defined in Python (`printseal/exceptions.py`, the Python
//! column of docs/ERRORS.md) and imported here, as pyca/cryptography does with
//! `import_exception!`.

pyo3::import_exception!(printseal.exceptions, Error);
pyo3::import_exception!(printseal.exceptions, InvalidInputError);
pyo3::import_exception!(printseal.exceptions, InvalidStateError);
pyo3::import_exception!(printseal.exceptions, NotPrintsealError);
pyo3::import_exception!(printseal.exceptions, UnsupportedError);
pyo3::import_exception!(printseal.exceptions, MalformedError);
pyo3::import_exception!(printseal.exceptions, TruncatedError);
pyo3::import_exception!(printseal.exceptions, TrailingDataError);
pyo3::import_exception!(printseal.exceptions, TamperedError);
pyo3::import_exception!(printseal.exceptions, NoMatchingRecipientError);
pyo3::import_exception!(printseal.exceptions, PolicyError);
pyo3::import_exception!(printseal.exceptions, RandomnessError);
pyo3::import_exception!(printseal.exceptions, KeyStoreError);
pyo3::import_exception!(printseal.exceptions, InternalError);
