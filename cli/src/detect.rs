//! Content-type detection from a job's first bytes, for `seal` without
//! `--content-type` and for the CUPS backend when CUPS gives no usable type.

/// How many leading bytes [`detect`] looks at.
pub(crate) const SNIFF_LEN: usize = 4096;

/// The MIME type of a print or scan job from its first bytes: PDF, PostScript,
/// PCL (bare, or inside a PJL wrapper, whose `ENTER LANGUAGE` decides), PWG raster,
/// Apple URF, TIFF, JPEG, PNG, else `application/octet-stream`.
pub(crate) fn detect(head: &[u8]) -> &'static str {
    let head = &head[..head.len().min(SNIFF_LEN)];
    // A PJL job starts with the Universal Exit Language command; what follows the
    // @PJL lines names the page description language.
    const UEL: &[u8] = b"\x1b%-12345X";
    if head.starts_with(UEL) {
        return pjl_language(&head[UEL.len()..]);
    }
    plain(head)
}

fn plain(head: &[u8]) -> &'static str {
    // A leading Ctrl-D (end of a previous PostScript job) is common in PostScript.
    let ps = head.strip_prefix(b"\x04").unwrap_or(head);
    if head.starts_with(b"%PDF-") {
        "application/pdf"
    } else if ps.starts_with(b"%!") {
        "application/postscript"
    } else if head.starts_with(b"RaS2") {
        "image/pwg-raster"
    } else if head.starts_with(b"UNIRAST\0") {
        "image/urf"
    } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        "image/tiff"
    } else if head.starts_with(b"\xff\xd8\xff") {
        "image/jpeg"
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if head.starts_with(b"\x1bE") || head.starts_with(b"\x1b&") || head.starts_with(b"\x1b*")
    {
        "application/vnd.hp-pcl"
    } else {
        "application/octet-stream"
    }
}

/// The language of a PJL job: the `@PJL ENTER LANGUAGE = X` line if there is one,
/// else the first bytes after the PJL lines; PCL when nothing else is recognised.
fn pjl_language(rest: &[u8]) -> &'static str {
    let mut pos = 0;
    while rest[pos..].starts_with(b"@PJL") {
        let end = rest[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |i| pos + i + 1);
        let line = String::from_utf8_lossy(&rest[pos..end]).to_ascii_uppercase();
        if let Some(lang) = line
            .strip_prefix("@PJL ENTER LANGUAGE")
            .map(|l| l.trim_start_matches([' ', '=']).trim())
        {
            return match lang {
                "POSTSCRIPT" => "application/postscript",
                "PDF" => "application/pdf",
                "PCLXL" => "application/vnd.hp-pclxl",
                _ => "application/vnd.hp-pcl",
            };
        }
        pos = end;
    }
    match plain(&rest[pos..]) {
        "application/octet-stream" => "application/vnd.hp-pcl",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::detect;

    #[test]
    fn magic_numbers() {
        let cases: &[(&[u8], &str)] = &[
            (b"%PDF-1.7\n", "application/pdf"),
            (b"%!PS-Adobe-3.0\n", "application/postscript"),
            (b"\x04%!PS\n", "application/postscript"),
            (b"\x1bE\x1b&l0O", "application/vnd.hp-pcl"),
            (
                b"\x1b%-12345X@PJL\r\n@PJL ENTER LANGUAGE = PCL\r\n\x1bE",
                "application/vnd.hp-pcl",
            ),
            (
                b"\x1b%-12345X@PJL ENTER LANGUAGE=POSTSCRIPT\n%!PS",
                "application/postscript",
            ),
            (
                b"\x1b%-12345X@PJL ENTER LANGUAGE = PCLXL\n",
                "application/vnd.hp-pclxl",
            ),
            (b"\x1b%-12345X@PJL JOB\n%PDF-1.4", "application/pdf"),
            (b"RaS2PwgRaster\0", "image/pwg-raster"),
            (b"UNIRAST\0\0\0\0\x01", "image/urf"),
            (b"II*\0\x08\0\0\0", "image/tiff"),
            (b"MM\0*\0\0\0\x08", "image/tiff"),
            (b"\xff\xd8\xff\xe0\0\x10JFIF", "image/jpeg"),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "image/png"),
            (b"hello", "application/octet-stream"),
            (b"", "application/octet-stream"),
            (b"%PD", "application/octet-stream"),
            (b"%%!PS", "application/octet-stream"),
            (b"\x89PSEAL\r\n", "application/octet-stream"),
        ];
        for (head, want) in cases {
            assert_eq!(detect(head), *want, "{head:?}");
        }
    }
}
