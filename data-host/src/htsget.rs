//! The htsget 1.3 protocol, as pure functions: query parameters in, ticket
//! and error JSON out.
//!
//! A ticket's URLs must, concatenated, give a valid file holding at least
//! the records of the requested region. This host returns one URL: the
//! region's index slice when the file has an index (`crate::slice`), else
//! the whole file (every region's records are in it), so any htsget client
//! reads it as is; the proof URL proves the region's records against the
//! file's Merkle root. `class=header` asks for the header alone: a file
//! with an index serves it as a valid file with no record.

use serde_json::{json, Value};
use std::collections::BTreeMap;

use sequencer_cli::formats::Format;
use sequencer_cli::proof::Region;

/// The two htsget endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Reads,
    Variants,
}

impl Endpoint {
    /// The formats a client may ask for here, the default first.
    fn formats(self) -> &'static [&'static str] {
        match self {
            Endpoint::Reads => &["BAM", "CRAM"],
            Endpoint::Variants => &["VCF", "BCF"],
        }
    }

    /// Whether a file of `format` is served on this endpoint (htsget 1.3 has no SAM).
    pub fn serves(self, format: Format) -> bool {
        match self {
            Endpoint::Reads => matches!(format, Format::Bam | Format::Cram),
            Endpoint::Variants => matches!(format, Format::Vcf | Format::Bcf),
        }
    }
}

/// An htsget error: the HTTP status, the error type and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub status: u16,
    pub kind: &'static str,
    pub message: String,
}

impl Error {
    pub fn new(status: u16, kind: &'static str, message: impl Into<String>) -> Error {
        Error {
            status,
            kind,
            message: message.into(),
        }
    }
    pub fn invalid_authentication(message: impl Into<String>) -> Error {
        Error::new(401, "InvalidAuthentication", message)
    }
    pub fn permission_denied(message: impl Into<String>) -> Error {
        Error::new(403, "PermissionDenied", message)
    }
    pub fn not_found(message: impl Into<String>) -> Error {
        Error::new(404, "NotFound", message)
    }
    pub fn invalid_input(message: impl Into<String>) -> Error {
        Error::new(400, "InvalidInput", message)
    }
    pub fn unsupported_format(message: impl Into<String>) -> Error {
        Error::new(400, "UnsupportedFormat", message)
    }
    pub fn invalid_range(message: impl Into<String>) -> Error {
        Error::new(400, "InvalidRange", message)
    }

    /// `{"htsget": {"error": …, "message": …}}`
    pub fn body(&self) -> Value {
        json!({ "htsget": { "error": self.kind, "message": self.message } })
    }
}

/// A parsed ticket request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub format: String,
    /// The region in `bionft-seq`'s 1-based inclusive form, when one was asked for.
    pub region: Option<Region>,
    /// `class=header`: the header alone, no record.
    pub header_only: bool,
}

/// Parses the query string of a ticket request for a file of `format` on `endpoint`.
///
/// `start` is 0-based inclusive and `end` 0-based exclusive (htsget), so
/// `referenceName=c&start=99&end=200` is `c:100-200`. `class=header` takes
/// no other parameter than `format`, as htsget says. The field filters
/// (`fields`, `tags`, `notags`) are not supported, and are ignored: a server
/// may send more than was asked for.
pub fn parse_query(endpoint: Endpoint, file: Format, query: &str) -> Result<Query, Error> {
    let params: BTreeMap<String, String> =
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .map_err(|e| Error::invalid_input(format!("query string: {e}")))?
            .into_iter()
            .collect();
    let format = params
        .get("format")
        .cloned()
        .unwrap_or_else(|| endpoint.formats()[0].to_string());
    if !endpoint.formats().contains(&format.as_str()) {
        return Err(Error::unsupported_format(format!(
            "format {format} is not one of {}",
            endpoint.formats().join(", ")
        )));
    }
    if format != file.to_string() {
        return Err(Error::unsupported_format(format!(
            "this file is held as {file}; ask for format={file}"
        )));
    }
    if let Some(class) = params.get("class") {
        if class != "header" {
            return Err(Error::invalid_input(format!(
                "class={class}: the only class is header (without class, the header and the records)"
            )));
        }
        if let Some(other) = params
            .keys()
            .find(|k| !matches!(k.as_str(), "class" | "format"))
        {
            return Err(Error::invalid_input(format!(
                "class=header takes no other parameter than format, not {other}"
            )));
        }
        return Ok(Query {
            format,
            region: None,
            header_only: true,
        });
    }
    let number = |name: &str| -> Result<Option<u64>, Error> {
        params
            .get(name)
            .map(|v| {
                v.parse::<u64>().map_err(|_| {
                    Error::invalid_input(format!("{name}={v} is not a non-negative integer"))
                })
            })
            .transpose()
    };
    let (start, end) = (number("start")?, number("end")?);
    let region = match params.get("referenceName") {
        None if start.is_some() || end.is_some() => {
            return Err(Error::invalid_input("start and end need referenceName"));
        }
        None => None,
        Some(name) if name == "*" => {
            if start.is_some() || end.is_some() {
                return Err(Error::invalid_input(
                    "start and end do not apply to unplaced reads (referenceName=*)",
                ));
            }
            // Unplaced reads have no locus to prove.
            None
        }
        Some(name) => {
            let start = start.unwrap_or(0);
            let end = end.unwrap_or(u64::MAX);
            if start >= end {
                return Err(Error::invalid_range(format!(
                    "start {start} is not below end {end}"
                )));
            }
            if name.is_empty() {
                return Err(Error::invalid_input("referenceName is empty"));
            }
            Some(Region {
                name: name.as_bytes().to_vec(),
                start: start + 1,
                end,
            })
        }
    };
    Ok(Query {
        format,
        region,
        header_only: false,
    })
}

/// A ticket: one URL (the region's slice, the whole file, or the header alone: `class`
/// `header`), the headers to send with it, and the `bionft` extension (record, receipt, proof
/// URL).
pub fn ticket(
    format: &str,
    data_url: &str,
    headers: &BTreeMap<String, String>,
    header_only: bool,
    bionft: Value,
) -> Value {
    let mut url = json!({ "url": data_url, "headers": headers });
    if header_only {
        url["class"] = json!("header");
    }
    json!({
        "htsget": { "format": format, "urls": [url] },
        "bionft": bionft,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(query: &str) -> Result<Query, Error> {
        parse_query(Endpoint::Reads, Format::Bam, query)
    }

    #[test]
    fn htsget_coordinates_become_inclusive_one_based_regions() {
        let q = reads("format=BAM&referenceName=CHROMOSOME_I&start=99&end=200").unwrap();
        assert_eq!(q.region.unwrap().to_string(), "CHROMOSOME_I:100-200");
        let open = reads("referenceName=chr1&start=5").unwrap();
        assert_eq!(open.region.unwrap().to_string(), "chr1:6-");
        let whole = reads("referenceName=chr1").unwrap();
        assert_eq!(whole.region.unwrap().to_string(), "chr1");
        assert_eq!(
            reads("").unwrap(),
            Query {
                format: "BAM".into(),
                region: None,
                header_only: false,
            }
        );
        assert_eq!(reads("referenceName=*").unwrap().region, None);
    }

    #[test]
    fn bad_queries_get_the_htsget_error_for_them() {
        let kind = |q: &str| reads(q).unwrap_err().kind;
        assert_eq!(kind("format=VCF"), "UnsupportedFormat");
        assert_eq!(kind("format=CRAM"), "UnsupportedFormat");
        assert_eq!(kind("referenceName=c&start=10&end=10"), "InvalidRange");
        assert_eq!(kind("start=10"), "InvalidInput");
        assert_eq!(kind("referenceName=c&start=-1"), "InvalidInput");
        assert_eq!(kind("referenceName=*&start=1"), "InvalidInput");
        assert_eq!(kind("class=body"), "InvalidInput");
        assert_eq!(kind("class=header&referenceName=chr1"), "InvalidInput");
        assert_eq!(kind("class=header&start=0"), "InvalidInput");
        assert_eq!(kind("class=header&format=CRAM"), "UnsupportedFormat");
        assert_eq!(
            parse_query(Endpoint::Variants, Format::Vcf, "format=BAM")
                .unwrap_err()
                .status,
            400
        );
    }

    #[test]
    fn class_header_asks_for_the_header_alone() {
        for query in ["class=header", "format=BAM&class=header"] {
            assert_eq!(
                reads(query).unwrap(),
                Query {
                    format: "BAM".into(),
                    region: None,
                    header_only: true,
                }
            );
        }
        assert!(!reads("referenceName=chr1").unwrap().header_only);
        let message = reads("class=header&end=5").unwrap_err().message;
        assert!(message.contains("not end"), "{message}");
    }

    #[test]
    fn endpoints_serve_their_formats() {
        assert!(Endpoint::Reads.serves(Format::Cram) && !Endpoint::Reads.serves(Format::Sam));
        assert!(!Endpoint::Reads.serves(Format::Vcf) && !Endpoint::Reads.serves(Format::Fastq));
        assert!(Endpoint::Variants.serves(Format::Bcf) && !Endpoint::Variants.serves(Format::Bam));
        let q = parse_query(Endpoint::Variants, Format::Vcf, "referenceName=1").unwrap();
        assert_eq!(q.format, "VCF");
    }

    #[test]
    fn tickets_and_errors_have_the_htsget_shape() {
        let headers = BTreeMap::from([("Authorization".to_string(), "Bearer t".to_string())]);
        let t = ticket(
            "BAM",
            "http://h/data/x",
            &headers,
            false,
            json!({"record": 7}),
        );
        assert_eq!(t["htsget"]["urls"][0].get("class"), None);
        let header = ticket("BAM", "http://h/data/x", &headers, true, json!({}));
        assert_eq!(header["htsget"]["urls"][0]["class"], "header");
        assert_eq!(t["htsget"]["format"], "BAM");
        assert_eq!(t["htsget"]["urls"][0]["url"], "http://h/data/x");
        assert_eq!(
            t["htsget"]["urls"][0]["headers"]["Authorization"],
            "Bearer t"
        );
        assert_eq!(t["bionft"]["record"], 7);
        let e = Error::permission_denied("GrantRevoked");
        assert_eq!(
            e.body(),
            json!({"htsget": {"error": "PermissionDenied", "message": "GrantRevoked"}})
        );
        assert_eq!(e.status, 403);
    }
}
