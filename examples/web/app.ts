/**
 * The demo page's script: two panes, each a device with its own IndexedDB store and an
 * "offline" switch. Served bundled with the client at /demo/app.js by the local gateway.
 * The page's address carries what it needs in its fragment: `#token=<user JWT>` and, to
 * create the two demo titles, `publisher=<JWT with catalog:write>`; `api=` overrides where the
 * API is (default: 127.0.0.1 on the page's port, another origin than localhost).
 */
import { type Client, createClient, type DatasetRecord, indexedDbStore, type ProgressEntry, type WatchlistEntry } from '../../client/src/index';

const params = new URLSearchParams(location.hash.slice(1));
const token = params.get('token') ?? '';
const api = params.get('api') ?? `${location.protocol}//127.0.0.1:${location.port}`;
const TITLES = [
  { id: '0b5e7a4c-6d1e-4b8a-9a53-2f4a1d2c0001', title: 'The Long Night' },
  { id: '0b5e7a4c-6d1e-4b8a-9a53-2f4a1d2c0002', title: 'Morning Tides' },
];
const titleOf = (id: string) => TITLES.find((t) => t.id === id)?.title ?? id;
const NOTES = 'demo-notes';

/** JSON with object keys sorted: the server does not keep a value's key order. */
const canonical = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonical).join(',')}]`
    : typeof value === 'object' && value !== null
      ? `{${Object.keys(value)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(value);

/** The token's user, so that each user gets their own stores in this browser. */
const userOf = (jwt: string): string => {
  try {
    return (JSON.parse(atob((jwt.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: string }).sub ?? 'anonymous';
  } catch {
    return 'anonymous';
  }
};

async function ensureTitles(publisher: string | null): Promise<void> {
  if (!publisher) return;
  for (const { id, title } of TITLES) {
    const response = await fetch(`${api}/v1/catalog/assets/${id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title, durationSeconds: 3600 }),
    });
    if (!response.ok) throw new Error(`could not create the demo titles: ${response.status}`);
  }
}

function pane(root: HTMLElement, name: string): void {
  const template = document.querySelector<HTMLTemplateElement>('#pane');
  if (!template) return;
  root.append(template.content.cloneNode(true));
  const $ = <T extends Element>(selector: string) => root.querySelector(selector) as T;
  $<HTMLElement>('h2').textContent = `Device ${name.toUpperCase()}`;
  const offlineKey = `playhead-demo-offline-${name}`;
  const offlineBox = $<HTMLInputElement>('.offline');
  offlineBox.checked = localStorage.getItem(offlineKey) === '1';
  const offline = () => offlineBox.checked;

  const client: Client = createClient({
    baseUrl: api,
    token: () => token,
    deviceId: `demo-${name}`,
    store: indexedDbStore(`playhead-demo-${userOf(token)}-${name}`),
    retry: { attempts: 3, baseDelayMs: 200 },
    // The switch cuts this pane off as a lost network would.
    fetch: (input, init) => (offline() ? Promise.reject(new TypeError('offline (demo switch)')) : fetch(input, init)),
  });
  let status = 'loading…';

  function render(): void {
    root.classList.toggle('offline', offline());
    const watchlist = client.items<WatchlistEntry>('watchlist').map((w) => w.asset).sort();
    const notes = client.items<DatasetRecord>('dataset-record').filter((r) => r.dataset === NOTES);
    const progress = client.item<ProgressEntry>('progress', TITLES[0]?.id ?? '')?.progress ?? 0;
    $<HTMLElement>('.status').textContent = `${offline() ? 'offline' : 'online'} · ${client.pending().length} pending · ${status}`;
    $<HTMLElement>('.titles').replaceChildren(
      ...TITLES.map(({ id, title }) => {
        const button = document.createElement('button');
        button.type = 'button';
        const listed = watchlist.includes(id);
        button.textContent = `${listed ? 'Remove' : 'Add'} ${title}`;
        button.dataset.asset = id;
        button.onclick = () => void (listed ? client.watchlist.remove(id) : client.watchlist.add(id)).then(render);
        return button;
      }),
    );
    $<HTMLElement>('.watchlist').replaceChildren(...watchlist.map((id) => Object.assign(document.createElement('li'), { textContent: titleOf(id) })));
    $<HTMLInputElement>('.progress').value = String(progress);
    $<HTMLOutputElement>('.position').textContent = `${progress} s`;
    $<HTMLElement>('.notes').replaceChildren(
      ...notes.map((r) => Object.assign(document.createElement('li'), { textContent: `${String((r.value as { text?: unknown })?.text)} (v${r.version})` })),
    );
    // What the browser test compares between the panes.
    root.dataset.snapshot = JSON.stringify({ watchlist, progress, notes: notes.map((r) => `${r.key}=${canonical(r.value)}`).sort() });
    root.dataset.pending = String(client.pending().length);
  }

  async function synchronize(): Promise<void> {
    if (offline()) return;
    try {
      const report = await client.synchronize();
      status = `synced: pushed ${report.pushed}, pulled ${report.pulled}${report.reset ? ', from a snapshot' : ''}`;
    } catch (error) {
      status = `sync failed: ${(error as Error).message}`;
    }
    render();
  }

  offlineBox.onchange = () => {
    localStorage.setItem(offlineKey, offline() ? '1' : '0');
    render();
    void synchronize();
  };
  $<HTMLButtonElement>('.sync').onclick = () => void synchronize();
  $<HTMLInputElement>('.progress').oninput = (event) => {
    const seconds = Number((event.target as HTMLInputElement).value);
    void client.progress.set(TITLES[0]?.id ?? '', seconds).then(render);
  };
  $<HTMLInputElement>('.progress').onchange = () => void client.progress.flush();
  $<HTMLButtonElement>('.note-save').onclick = () => {
    const text = $<HTMLTextAreaElement>('.note-text').value;
    // One note per pane, under the key the server gave it once it has one.
    const mine = localStorage.getItem(`playhead-demo-note-${name}`) ?? undefined;
    void client.datasets.put(NOTES, { text, by: name }, mine === undefined ? {} : { key: client.datasets.keyOf(mine)?.split('/')[1] ?? mine }).then(({ key, localId }) => {
      localStorage.setItem(`playhead-demo-note-${name}`, localId ?? key);
      render();
    });
  };
  client.subscribe(() => render());
  void client.open().then(() => {
    status = 'ready';
    render();
    root.dataset.ready = 'true';
    void synchronize();
    setInterval(() => void synchronize(), 2000);
  });
}

const problem = document.querySelector<HTMLElement>('#problem');
if (!token && problem) problem.textContent = 'Open this page with #token=<JWT> (npm start prints the address to use).';
else {
  void ensureTitles(params.get('publisher'))
    .then(() => {
      for (const root of document.querySelectorAll<HTMLElement>('section[data-pane]')) pane(root, root.dataset.pane ?? '?');
    })
    .catch((error: unknown) => {
      if (problem) problem.textContent = (error as Error).message;
    });
}
