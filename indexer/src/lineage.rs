//! Renderings of a lineage [`Graph`]: W3C PROV-JSON for provenance tools,
//! Graphviz DOT, and a self-contained SVG for people who would rather look
//! than read. Pure functions of the graph; deterministic output.

use crate::queries::{Graph, Node, SubjectView};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// `2026-01-01T00:00:00.000Z` for a time in ms since the Unix epoch (UTC).
pub fn iso8601(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rest = ms.rem_euclid(86_400_000);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000
    )
}

fn entity(id: i64) -> String {
    format!("bionft:record/{id}")
}

fn agent(account: impl std::fmt::Display) -> String {
    format!("bionft:account/{account}")
}

/// The lineage as a W3C PROV-JSON document: records are entities, each
/// registration an activity, accounts agents. Parent links are
/// `wasDerivedFrom` (a supersession is a `prov:Revision`), registrations
/// `wasGeneratedBy`/`used`/`wasAssociatedWith`, records `wasAttributedTo`
/// their registrar (and a sample to its subject), and a sample's guardians
/// `actedOnBehalfOf` its subject until majority (`subjects`: every sample of
/// the graph's, so a joint record shows each contributing subject).
pub fn prov_json(graph: &Graph, subjects: &BTreeMap<i64, SubjectView>) -> Value {
    let mut entities = Map::new();
    let mut activities = Map::new();
    let mut agents = Map::new();
    let mut relations: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    let mut relate = |kind: &'static str, id: String, body: Value| {
        relations.entry(kind).or_default().insert(id, body);
    };
    for n in &graph.nodes {
        let e = entity(n.record);
        let act = format!("bionft:registration/{}", n.record);
        let time = iso8601(n.registered.time);
        entities.insert(
            e.clone(),
            json!({
                "prov:type": format!("bionft:{}", n.kind),
                "prov:label": format!("{} {}", n.kind, n.record),
                "bionft:commitment": n.commitment,
                "bionft:status": n.status,
                "bionft:samples": n.samples,
            }),
        );
        activities.insert(
            act.clone(),
            json!({
                "prov:type": "bionft:Registration",
                "prov:startTime": time,
                "prov:endTime": time,
                "bionft:block": n.registered.block,
            }),
        );
        let registrar = agent(n.registered_by);
        agents
            .entry(registrar.clone())
            .or_insert_with(|| json!({ "prov:type": "prov:Organization" }));
        relate(
            "wasGeneratedBy",
            format!("_:gen{}", n.record),
            json!({ "prov:entity": e, "prov:activity": act, "prov:time": time }),
        );
        relate(
            "wasAssociatedWith",
            format!("_:assoc{}", n.record),
            json!({ "prov:activity": act, "prov:agent": registrar }),
        );
        relate(
            "wasAttributedTo",
            format!("_:attr{}", n.record),
            json!({ "prov:entity": e, "prov:agent": registrar }),
        );
        if let Some(new) = n.superseded_by {
            if graph.nodes.iter().any(|m| m.record == new) {
                relate(
                    "wasDerivedFrom",
                    format!("_:rev{new}_{}", n.record),
                    json!({
                        "prov:generatedEntity": entity(new),
                        "prov:usedEntity": e,
                        "prov:type": "prov:Revision",
                    }),
                );
            }
        }
    }
    for edge in &graph.edges {
        let (parent, child) = (edge_id(&edge.origin), edge_id(&edge.destination));
        relate(
            "wasDerivedFrom",
            format!("_:der{child}_{parent}"),
            json!({
                "prov:generatedEntity": entity(child),
                "prov:usedEntity": entity(parent),
                "prov:activity": format!("bionft:registration/{child}"),
            }),
        );
        relate(
            "used",
            format!("_:use{child}_{parent}"),
            json!({
                "prov:activity": format!("bionft:registration/{child}"),
                "prov:entity": entity(parent),
            }),
        );
    }
    // Each sample's subject is a person known only by the sample: the API
    // names no subject or guardian account (see the README's privacy table).
    for (sample, subject) in subjects {
        let person = format!("bionft:subject/{sample}");
        agents.insert(
            person.clone(),
            json!({ "prov:type": "prov:Person", "prov:label": format!("subject of sample {sample}") }),
        );
        if graph.nodes.iter().any(|n| n.record == *sample) {
            relate(
                "wasAttributedTo",
                format!("_:subj{sample}"),
                json!({ "prov:entity": entity(*sample), "prov:agent": person }),
            );
        }
        if subject.authority == "guardians" {
            let guardians = format!("bionft:guardians/{sample}");
            agents.insert(
                guardians.clone(),
                json!({
                    "prov:type": "prov:Person",
                    "bionft:role": "guardian",
                    "bionft:count": subject.guardians,
                }),
            );
            relate(
                "actedOnBehalfOf",
                format!("_:guard{sample}"),
                json!({ "prov:delegate": guardians, "prov:responsible": person }),
            );
        }
    }
    let mut doc = Map::new();
    doc.insert(
        "prefix".into(),
        json!({ "bionft": "urn:bionft:", "prov": "http://www.w3.org/ns/prov#" }),
    );
    doc.insert("entity".into(), Value::Object(entities));
    doc.insert("activity".into(), Value::Object(activities));
    doc.insert("agent".into(), Value::Object(agents));
    for (kind, body) in relations {
        doc.insert(kind.into(), Value::Object(body));
    }
    Value::Object(doc)
}

/// `record:12` → 12 (edge ends are node ids made by the query layer).
fn edge_id(node: &str) -> i64 {
    node.trim_start_matches("record:")
        .parse()
        .expect("edge ends are record node ids")
}

fn fill(status: &str) -> &'static str {
    match status {
        "withdrawn" => "#f4c7c3",
        "superseded" => "#e0e0e0",
        _ => "#d9ead3",
    }
}

fn label(n: &Node) -> String {
    format!("#{} {}", n.record, n.kind.replace('_', " "))
}

/// The lineage in Graphviz DOT (parents left of children; the asked-for
/// record drawn bold; withdrawn red, superseded grey).
pub fn dot(graph: &Graph) -> String {
    let mut out = String::from(
        "digraph lineage {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n",
    );
    for n in &graph.nodes {
        out.push_str(&format!(
            "  r{} [label=\"{}\\n{}\", fillcolor=\"{}\"{}];\n",
            n.record,
            label(n),
            n.status,
            fill(n.status),
            if n.record == graph.focus {
                ", penwidth=2.5"
            } else {
                ""
            }
        ));
    }
    for e in &graph.edges {
        out.push_str(&format!(
            "  r{} -> r{};\n",
            edge_id(&e.origin),
            edge_id(&e.destination)
        ));
    }
    out.push_str("}\n");
    out
}

const BOX_W: i64 = 170;
const BOX_H: i64 = 46;
const GAP_X: i64 = 60;
const GAP_Y: i64 = 18;

/// The lineage as a standalone SVG: one column per generation (ancestors
/// left, descendants right), edges as arrows from parent to child.
pub fn svg(graph: &Graph) -> String {
    let min = graph.nodes.iter().map(|n| n.distance).min().unwrap_or(0);
    let mut columns: BTreeMap<i64, Vec<&Node>> = BTreeMap::new();
    for n in &graph.nodes {
        columns.entry(n.distance - min).or_default().push(n);
    }
    let mut at: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for (col, nodes) in &columns {
        for (row, n) in nodes.iter().enumerate() {
            at.insert(
                n.record,
                (
                    20 + col * (BOX_W + GAP_X),
                    20 + row as i64 * (BOX_H + GAP_Y),
                ),
            );
        }
    }
    let width = 40 + columns.len() as i64 * (BOX_W + GAP_X) - GAP_X;
    let tallest = columns.values().map(Vec::len).max().unwrap_or(0) as i64;
    let height = 40 + tallest * (BOX_H + GAP_Y) - GAP_Y;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\">\n\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n"
    );
    for e in &graph.edges {
        let (px, py) = at[&edge_id(&e.origin)];
        let (cx, cy) = at[&edge_id(&e.destination)];
        out.push_str(&format!(
            "<line x1=\"{}\" y1=\"{}\" x2=\"{cx}\" y2=\"{}\" stroke=\"#555\" marker-end=\"url(#arrow)\"/>\n",
            px + BOX_W,
            py + BOX_H / 2,
            cy + BOX_H / 2
        ));
    }
    for n in &graph.nodes {
        let (x, y) = at[&n.record];
        let stroke = if n.record == graph.focus { 2.5 } else { 1.0 };
        out.push_str(&format!(
            "<g><title>record {} ({}), commitment {}</title>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"8\" fill=\"{}\" stroke=\"#333\" stroke-width=\"{stroke}\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#444\">{}</text></g>\n",
            n.record,
            n.kind,
            n.commitment,
            fill(n.status),
            x + BOX_W / 2,
            y + 19,
            label(n),
            x + BOX_W / 2,
            y + 36,
            n.status
        ));
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_matches_known_instants() {
        // `date -u -d @1767225600` = 2026-01-01 00:00:00 UTC
        assert_eq!(iso8601(1_767_225_600_000), "2026-01-01T00:00:00.000Z");
        assert_eq!(iso8601(951_868_800_123), "2000-03-01T00:00:00.123Z");
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            iso8601(2_364_163_200_000 + 3_723_004),
            "2044-12-01T01:02:03.004Z"
        );
    }
}
