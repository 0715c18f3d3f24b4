//! Post-processing of a contract's linked wasm before `wasm-opt`, as
//! pallet-contracts expects it: the imported memory gets a maximum, only the
//! `call` and `deploy` exports remain (so everything else can be removed as
//! dead code), and custom sections (names, producers, debug info) go.

use anyhow::{bail, Context, Result};
use wasm_encoder::{
    EntityType, ExportKind, ExportSection, ImportSection, MemoryType, Module, RawSection,
};
use wasmparser::{Parser, Payload, TypeRef, Validator, WasmFeatures};

/// Pages (64 KiB each) the contract's imported memory may grow to.
pub const MAX_MEMORY_PAGES: u64 = 16;

/// The exports pallet-contracts calls.
const ENTRY_POINTS: [&str; 2] = ["call", "deploy"];

/// Rewrites `wasm`: memory maximum, entry-point exports only, no custom sections.
pub fn strip(wasm: &[u8]) -> Result<Vec<u8>> {
    let mut module = Module::new();
    let mut exports_found = 0;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.context("parsing contract wasm")? {
            Payload::ImportSection(reader) => {
                let mut imports = ImportSection::new();
                for import in reader.into_imports() {
                    let import = import?;
                    let ty = match import.ty {
                        TypeRef::Func(index) => EntityType::Function(index),
                        TypeRef::Memory(m) => {
                            if m.initial > MAX_MEMORY_PAGES {
                                bail!("contract asks for {} initial memory pages, more than {MAX_MEMORY_PAGES}", m.initial);
                            }
                            EntityType::Memory(MemoryType {
                                minimum: m.initial,
                                maximum: Some(MAX_MEMORY_PAGES),
                                memory64: m.memory64,
                                shared: m.shared,
                                page_size_log2: m.page_size_log2,
                            })
                        }
                        other => bail!(
                            "unexpected import {}::{} of kind {other:?}",
                            import.module,
                            import.name
                        ),
                    };
                    imports.import(import.module, import.name, ty);
                }
                module.section(&imports);
            }
            Payload::ExportSection(reader) => {
                let mut exports = ExportSection::new();
                for export in reader {
                    let export = export?;
                    if ENTRY_POINTS.contains(&export.name) {
                        if export.kind != wasmparser::ExternalKind::Func {
                            bail!("export `{}` is not a function", export.name);
                        }
                        exports.export(export.name, ExportKind::Func, export.index);
                        exports_found += 1;
                    }
                }
                module.section(&exports);
            }
            Payload::CustomSection(_) => {}
            other => {
                if let Some((id, range)) = other.as_section() {
                    module.section(&RawSection {
                        id,
                        data: &wasm[range.start as usize..range.end as usize],
                    });
                }
            }
        }
    }
    if exports_found != ENTRY_POINTS.len() {
        bail!("contract wasm must export both `call` and `deploy`");
    }
    Ok(module.finish())
}

/// Fails unless `wasm` is a valid WebAssembly MVP module (no post-MVP
/// features at all: no sign-extension, bulk memory, multi-value, SIMD, floats
/// are allowed only as MVP defines them) with only entry-point exports.
pub fn validate_mvp(wasm: &[u8]) -> Result<()> {
    let features = WasmFeatures::FLOATS;
    Validator::new_with_features(features)
        .validate_all(wasm)
        .context("the optimised contract is not valid MVP wasm")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        CodeSection, CustomSection, Function, FunctionSection, Instruction, TypeSection,
    };

    /// A module shaped like a linked contract: imported memory, two entry
    /// points, an extra export and a custom section.
    fn linked_like_a_contract(initial_pages: u64) -> Vec<u8> {
        let mut m = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], []);
        m.section(&types);
        let mut imports = ImportSection::new();
        imports.import(
            "env",
            "memory",
            MemoryType {
                minimum: initial_pages,
                maximum: None,
                memory64: false,
                shared: false,
                page_size_log2: None,
            },
        );
        m.section(&imports);
        let mut funcs = FunctionSection::new();
        funcs.function(0);
        funcs.function(0);
        m.section(&funcs);
        let mut exports = ExportSection::new();
        exports.export("call", ExportKind::Func, 0);
        exports.export("deploy", ExportKind::Func, 1);
        exports.export("__heap_base_helper", ExportKind::Func, 1);
        m.section(&exports);
        let mut code = CodeSection::new();
        for _ in 0..2 {
            let mut f = Function::new([]);
            f.instruction(&Instruction::End);
            code.function(&f);
        }
        m.section(&code);
        m.section(&CustomSection {
            name: "producers".into(),
            data: b"rustc".as_slice().into(),
        });
        m.finish()
    }

    #[test]
    fn strip_caps_memory_keeps_entry_points_and_drops_custom_sections() {
        let out = strip(&linked_like_a_contract(2)).unwrap();
        validate_mvp(&out).unwrap();
        let mut exports = Vec::new();
        let mut max = None;
        for payload in Parser::new(0).parse_all(&out) {
            match payload.unwrap() {
                Payload::ExportSection(r) => {
                    exports.extend(r.into_iter().map(|e| e.unwrap().name.to_string()))
                }
                Payload::ImportSection(r) => {
                    for i in r.into_imports() {
                        if let TypeRef::Memory(m) = i.unwrap().ty {
                            max = m.maximum;
                        }
                    }
                }
                Payload::CustomSection(_) => panic!("custom section kept"),
                _ => {}
            }
        }
        assert_eq!(exports, ["call", "deploy"]);
        assert_eq!(max, Some(MAX_MEMORY_PAGES));
    }

    #[test]
    fn strip_refuses_oversized_memory_and_garbage() {
        assert!(strip(&linked_like_a_contract(17)).is_err());
        assert!(strip(b"\0asm\x01\0\0\0garbage").is_err());
    }

    #[test]
    fn post_mvp_instructions_are_rejected() {
        let mut m = Module::new();
        let mut types = TypeSection::new();
        types
            .ty()
            .function([wasm_encoder::ValType::I32], [wasm_encoder::ValType::I32]);
        m.section(&types);
        let mut funcs = FunctionSection::new();
        funcs.function(0);
        m.section(&funcs);
        let mut code = CodeSection::new();
        let mut f = Function::new([]);
        f.instruction(&Instruction::LocalGet(0));
        f.instruction(&Instruction::I32Extend8S); // sign-extension: post-MVP
        f.instruction(&Instruction::End);
        code.function(&f);
        m.section(&code);
        assert!(validate_mvp(&m.finish()).is_err());
    }
}
