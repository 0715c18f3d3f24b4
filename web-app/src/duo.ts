// GA4GH Data Use Ontology terms as the contracts store them (`DUO:0000006` is
// 6), with their abbreviations (the text form the indexer and the CLI use,
// e.g. `DS:4989+IRB`) and labels for people.

export interface Term {
  id: number;
  code: string;
  label: string;
}

/** Permission terms, broadest first: NRES ⊇ GRU ⊇ {HMB ⊇ DS(x), POA}. */
export const PERMISSIONS: Term[] = [
  { id: 4, code: 'NRES', label: 'no restriction' },
  { id: 42, code: 'GRU', label: 'general research use' },
  { id: 6, code: 'HMB', label: 'health, medical or biomedical research' },
  { id: 7, code: 'DS', label: 'disease-specific research (needs a disease id)' },
  { id: 11, code: 'POA', label: 'population origins or ancestry research only' },
];

/** Modifier terms the contracts accept (conditions a request must declare). */
export const MODIFIERS: Term[] = [
  { id: 12, code: 'RS', label: 'research-specific restrictions' },
  { id: 15, code: 'NMDS', label: 'no general methods research' },
  { id: 16, code: 'GSO', label: 'genetic studies only' },
  { id: 18, code: 'NPUNCU', label: 'not-for-profit, non-commercial use only' },
  { id: 19, code: 'PUB', label: 'publication required' },
  { id: 20, code: 'COL', label: 'collaboration required' },
  { id: 21, code: 'IRB', label: 'ethics approval required' },
  { id: 22, code: 'GS', label: 'geographical restriction' },
  { id: 24, code: 'MOR', label: 'publication moratorium' },
  { id: 25, code: 'TS', label: 'time limit on use' },
  { id: 26, code: 'US', label: 'user-specific restriction' },
  { id: 27, code: 'PS', label: 'project-specific restriction' },
  { id: 28, code: 'IS', label: 'institution-specific restriction' },
  { id: 29, code: 'RTN', label: 'return to database or resource' },
  { id: 43, code: 'CC', label: 'clinical care use' },
  { id: 44, code: 'NPOA', label: 'no population origins or ancestry research' },
  { id: 45, code: 'NPU', label: 'not-for-profit use only' },
  { id: 46, code: 'NCU', label: 'non-commercial use only' },
];

export const DS = 7;

/** The contracts' `Purpose`, as @polkadot/api-contract encodes it from the metadata. */
export interface Purpose {
  permission: number;
  disease: number | null;
  modifiers: number[];
}

const byCode = new Map([...PERMISSIONS, ...MODIFIERS].map((t) => [t.code, t]));
const byId = new Map([...PERMISSIONS, ...MODIFIERS].map((t) => [t.id, t]));

/** Modifiers strictly ascending, as the contracts require. */
export function purpose(permission: number, disease: number | null, modifiers: number[]): Purpose {
  return { permission, disease: permission === DS ? disease : null, modifiers: [...new Set(modifiers)].sort((a, b) => a - b) };
}

/** `HMB+IRB`, `DS:4989+NCU`: the text form. */
export function purposeText(p: Purpose): string {
  const head = (byId.get(p.permission)?.code ?? `DUO:${p.permission}`) + (p.disease != null ? `:${p.disease}` : '');
  return [head, ...p.modifiers.map((m) => byId.get(m)?.code ?? `DUO:${m}`)].join('+');
}

/** "HMB – health, medical or biomedical research; IRB – ethics approval required" from a text form. */
export function describePurpose(text: string): string {
  return text
    .split('+')
    .map((part) => {
      const [code, disease] = part.split(':');
      const term = byCode.get(code.toUpperCase());
      if (!term) return part;
      const label = term.id === DS ? `disease-specific research (disease ${disease})` : term.label;
      return `${term.code}${disease && term.id === DS ? ':' + disease : ''} – ${label}`;
    })
    .join('; ');
}
