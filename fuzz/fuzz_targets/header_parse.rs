//! `Header::parse` on arbitrary bytes: never panics, and what it accepts is
//! self-consistent (the parsed length is within the input, re-parsing exactly those
//! bytes gives the same header, and the `std::io` header reader agrees).
#![no_main]

use libfuzzer_sys::fuzz_target;
use printseal::Header;

fuzz_target!(|data: &[u8]| {
    let parsed = Header::parse(data);
    let via_io = printseal::io::read_header(&mut &data[..]);
    match parsed {
        Ok(h) => {
            assert!(h.len() <= data.len());
            assert!(!h.is_empty());
            assert_eq!(h.as_bytes(), &data[..h.len()]);
            let again = Header::parse(&data[..h.len()]).expect("a parsed header re-parses");
            assert_eq!(again.as_bytes(), h.as_bytes());
            assert_eq!(again.suite(), h.suite());
            assert_eq!(again.stanzas().len(), h.stanzas().len());
            let _ = h.public_metadata();
            let io = via_io.expect("read_header accepts what parse accepts");
            assert_eq!(io.as_bytes(), h.as_bytes());
            // One byte short is never a complete header.
            assert!(Header::parse(&data[..h.len() - 1]).is_err());
        }
        Err(_) => assert!(via_io.is_err(), "read_header accepted what parse refused"),
    }
});
