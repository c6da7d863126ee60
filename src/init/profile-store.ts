import { isMap, isScalar, parseDocument, type Document } from 'yaml';
import { writeFileSafely } from '../fs-safe.js';
import { parseProfile } from '../profile-file.js';
import { DEFAULT_PROFILE, readProfileSource, type LoadedProfile } from '../profile.js';
import { SETTINGS, type Profile, type SettingName } from '../settings.js';

// init's answers, written to minio-irsa.yaml as they are given: Ctrl-C loses nothing and the
// next run does not ask again. An existing profile keeps its comments and key order.

const SECTION_ORDER = ['version', 'kube', 'issuer', 'minio', 'workload'];
const HEADER = 'minio-irsa profile: the answers every command reads (flags override them). Written by minio-irsa init.';

export class ProfileStore {
  /** Answers recorded by this run. */
  writes = 0;
  private constructor(
    readonly path: string,
    readonly loaded: LoadedProfile,
    private readonly doc: Document,
    private readonly persist: boolean,
  ) {}

  /** `persist` false (a dry run): answers are kept in memory only. */
  static async open(explicitPath: string | undefined, persist: boolean): Promise<ProfileStore> {
    const path = explicitPath ?? DEFAULT_PROFILE;
    // Read once: validated as every command does (errors name file, line and key), and kept
    // as a document to edit, comments and all. init creates the profile when it is absent.
    const source = await readProfileSource(path, true);
    const loaded: LoadedProfile = source === undefined ? { path, values: {}, lines: {} } : parseProfile(source, path);
    let doc: Document;
    if (source !== undefined && source.trim() !== '') {
      doc = parseDocument(source);
    } else {
      doc = parseDocument('version: 1\n');
      doc.commentBefore = ` ${HEADER}`;
    }
    return new ProfileStore(path, { ...loaded, path }, doc, persist);
  }

  /** Record an answer (validated by the caller); written at once unless it is already there. */
  async record<K extends SettingName>(name: K, value: Profile[K]): Promise<void> {
    const keyPath = SETTINGS[name].key.split('.');
    const stored = Array.isArray(value) ? value.join(',') : value;
    const current: unknown = this.doc.getIn(keyPath);
    if (current !== undefined && String(Array.isArray(current) ? current.join(',') : current) === String(stored)) return;
    if (stored === undefined) return;
    // An empty section (`minio:` with nothing under it) parses as null: make it a mapping.
    const section = keyPath[0] as string;
    if (!isMap(this.doc.get(section, true))) {
      this.doc.set(section, this.doc.createNode({}));
      // Sections in the documented order (kube, issuer, minio, workload), wherever they were added.
      const root = this.doc.contents;
      const rank = (key: unknown) => SECTION_ORDER.indexOf(String(isScalar(key) ? key.value : key));
      if (isMap(root)) root.items.sort((a, b) => rank(a.key) - rank(b.key));
    }
    this.writes += 1;
    this.doc.setIn(keyPath, stored);
    this.loaded.values[name] = stored;
    if (this.persist) await writeFileSafely(this.path, this.doc.toString(), { mode: 0o644, force: true, flag: '--config' });
  }
}
