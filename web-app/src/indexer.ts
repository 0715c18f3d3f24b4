// The indexer's HTTP API (indexer/openapi.json), which serves this app too:
// the API is at the same origin, one level above /app/.

export interface Stamp {
  block: number;
  event: number;
  time: number;
}

export interface Deployment {
  format: number;
  endpoint: string;
  genesis_hash: string;
  deployed_at_block?: number;
  biosample: { address: string; code_hash: string };
  consent: { address: string; code_hash: string };
}

export interface ActingFor {
  sample: number;
  role: 'guardian' | 'subject';
  authority: boolean;
}

export interface LineageNode {
  id: string;
  record: number;
  kind: string;
  samples: number[];
  registered: Stamp;
  status: string;
  superseded_by: number | null;
  distance: number;
}

export interface Lineage {
  focus: number;
  nodes: LineageNode[];
  edges: { origin: string; destination: string }[];
}

/** A record with its effective status, parents and children (`/records/{id}`). */
export interface RecordView {
  id: number;
  kind: string;
  samples: number[];
  parents: number[];
  children: number[];
  digest_scheme?: string;
  registered_by: string;
  registered: Stamp;
  status: string;
  superseded_by: { record: number; at: Stamp } | null;
  supersedes: number | null;
  withdrawn: { through: number; authority: string; at: Stamp } | null;
}

export interface Grant {
  id: number;
  sample: number;
  grantee: string;
  scope: number;
  purpose: string;
  expires_at: number;
  issuer: string;
  issued: Stamp;
  revoked: Stamp | null;
  confirmed: Stamp | null;
  state: string;
}

export interface Receipt {
  id: number;
  record: number;
  grantee: string;
  purpose: string;
  grants: number[];
  data_host: string;
  at: Stamp;
}

export interface Listing<T> {
  items: T[];
  next: number | null;
}

export interface Status {
  block: number | null;
  time: number;
}

const API = new URL('../', document.baseURI);

export class IndexerError extends Error {}

async function get<T>(path: string): Promise<T> {
  const response = await fetch(new URL(path, API));
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = body?.error?.message ?? `${response.status} ${response.statusText}`;
    throw new IndexerError(`the indexer answered ${path}: ${message}`);
  }
  return body as T;
}

/** Every page of a listing. */
async function all<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let after: number | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: Listing<T> = await get(`${path}${sep}limit=1000${after != null ? `&after=${after}` : ''}`);
    items.push(...page.items);
    after = page.next;
  } while (after != null);
  return items;
}

export const indexer = {
  deployment: () => get<Deployment>('app/deployment.json'),
  status: () => get<Status>('status'),
  actingFor: (account: string) => get<ActingFor[]>(`accounts/${account}/samples`),
  descendants: (record: number) => get<Lineage>(`records/${record}/lineage?direction=down&depth=8`),
  record: (record: number) => get<RecordView>(`records/${record}`),
  /** Ancestors and descendants of `record`, `depth` steps each way. */
  neighbourhood: (record: number, depth: number) => get<Lineage>(`records/${record}/lineage?direction=both&depth=${depth}`),
  sampleGrants: (sample: number) => all<Grant>(`samples/${sample}/grants`),
  granteeGrants: (account: string) => all<Grant>(`grantees/${account}/grants`),
  grantReceipts: (grant: number) => all<Receipt>(`grants/${grant}/receipts`),
  granteeReceipts: (account: string) => all<Receipt>(`grantees/${account}/receipts`),
};
