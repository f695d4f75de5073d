// The one typed wrapper around every command the window invokes. The data types are
// generated from the Rust core (ts-rs) into ./bindings; do not edit those by hand.
import { Channel, invoke } from '@tauri-apps/api/core';
import type { Facets, QueueCounts, QueueFilter, QueuePage, ReplicaInfo, TicketDetail } from './bindings/queue';
import type { Action, Applied, Candidate, OutboxEntry } from './bindings/actions';
import type { Line, Skill, StaffMember } from './bindings/domain';
import type { DashboardData, DashboardQuery, Incomplete, Lang, Theme } from './bindings/charts';
import type { ClientMonth, Contract, NotifySettings, TimerRow, Watched } from './bindings/sla';
import type { ClientCard } from './bindings/clients';
import type { Contact } from './bindings/domain';
import type { ImportReport } from './bindings/import';
import type { AbsenceKind, NowPanel, RosterMonth, Suggestion } from './bindings/roster';
import type { HandOverPlan, Handover } from './bindings/handover';
import type { Conflict, Resolution, SyncStatus } from './bindings/sync';
import type { ItsmKind } from './bindings/domain';
import type { ErrorCode, Problem } from './bindings/error';

export type { Applied, ErrorCode, SyncStatus };

/** An error from a command: a code from the closed set the UI acts on, and the message in each language. */
export type IpcError = Problem;

export function isIpcError(e: unknown): e is IpcError {
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e && 'message_ru' in e;
}

/** A problem's message in the page's language. */
export function problemText(p: Problem, locale: 'en' | 'ru'): string {
  return locale === 'ru' ? p.message_ru : p.message;
}

/** How much of a file one call hands over: the page never holds a whole export. */
const UPLOAD_CHUNK = 4 << 20;

export const api = {
  queuePage: (filter: QueueFilter, offset: number, limit: number) => invoke<QueuePage>('queue_page', { filter, offset, limit }),
  queueCounts: (filter: QueueFilter) => invoke<QueueCounts>('queue_counts', { filter }),
  ticket: (number: string) => invoke<TicketDetail>('ticket_detail', { number }),
  replicaInfo: () => invoke<ReplicaInfo>('replica_info'),
  facets: () => invoke<Facets>('facets'),
  apply: (number: string, action: Action) => invoke<Applied>('apply_action', { number, action }),
  applyBulk: (numbers: string[], action: Action) => invoke<Applied[]>('apply_bulk', { numbers, action }),
  outbox: () => invoke<OutboxEntry[]>('outbox_list'),
  discard: (opId: string) => invoke<string>('discard_operation', { opId }),
  candidates: (line: Line, skill: Skill | null) => invoke<Candidate[]>('candidates', { line, skill }),
  staff: () => invoke<StaffMember[]>('staff'),
  clients: () => invoke<ClientCard[]>('clients'),
  clientSetZone: (client: string, zone: string) => invoke<number>('client_set_zone', { client, zone }),
  clientSetContract: (client: string, contract: Contract) => invoke<number>('client_set_contract', { client, contract }),
  clientAddContact: (client: string, contact: Contact) => invoke<number>('client_add_contact', { client, contact }),
  clientRemoveContact: (client: string, email: string) => invoke<number>('client_remove_contact', { client, email }),
  dashboard: (query: DashboardQuery, theme: Theme, lang: Lang) => invoke<DashboardView>('dashboard', { query, theme, lang }),
  escalations: () => invoke<Watched[]>('escalations'),
  escalationRaise: (number: string) => invoke<Applied>('escalation_raise', { number }),
  atRisk: (withinMinutes: number) => invoke<{ now: string; tickets: TimerRow[] }>('at_risk', { withinMinutes }),
  slaMonth: (client: string, month: string) => invoke<ClientMonth>('sla_month', { client, month }),
  exportChart: (query: DashboardQuery, theme: Theme, lang: Lang, format: 'png' | 'svg' | 'csv') =>
    invoke<string>('export_chart', { query, theme, lang, format }),
  exportSlaMonth: (client: string, month: string) => invoke<string>('export_sla_month', { client, month }),
  notificationSettings: (lang: Lang) => invoke<NotifySettings>('notification_settings', { lang }),
  setNotificationSettings: (settings: NotifySettings) => invoke<NotifySettings>('set_notification_settings', { settings }),
  /** Hands a file's bytes to the shell for import, a chunk at a time; returns its token. */
  importUpload: async (file: File) => {
    const token = await invoke<string>('import_begin', { name: file.name });
    for (let at = 0; at < file.size; at += UPLOAD_CHUNK) {
      const bytes = new Uint8Array(await file.slice(at, at + UPLOAD_CHUNK).arrayBuffer());
      await invoke<number>('import_chunk', bytes, { headers: { 'x-import-token': token } });
    }
    return token;
  },
  rosterMonth: (month: string) => invoke<RosterMonth>('roster_month', { month }),
  rosterGenerate: (month: string) => invoke<RosterMonth>('roster_generate', { month }),
  rosterPublish: (month: string) => invoke<RosterMonth>('roster_publish', { month }),
  /** Puts a person on shift `code` on `day`, or off when `code` is empty. */
  rosterAssign: (staffId: number, day: string, code: string) => invoke<RosterMonth>('roster_assign', { staffId, day, code }),
  rosterSwap: (a: number, dayA: string, b: number, dayB: string) => invoke<RosterMonth>('roster_swap', { a, dayA, b, dayB }),
  rosterAbsence: (staffId: number, kind: AbsenceKind, first: string, last: string) => invoke<RosterMonth>('roster_absence', { staffId, kind, first, last }),
  rosterRemoveAbsence: (id: number, month: string) => invoke<RosterMonth>('roster_remove_absence', { id, month }),
  rosterSuggestions: (day: string, code: string, line: number) => invoke<Suggestion[]>('roster_suggestions', { day, code, line }),
  rosterNow: () => invoke<NowPanel>('roster_now'),
  handover: (at: string | null) => invoke<Handover>('handover', { at }),
  handoverNotes: (at: string, notes: string) => invoke<Handover>('handover_notes', { at, notes }),
  handoverPlan: (at: string) => invoke<HandOverPlan>('handover_plan', { at }),
  handoverApply: (moves: [string, number][], reason: string) => invoke<Applied[]>('handover_apply', { moves, reason }),
  rosterExport: (month: string, format: 'ics' | 'csv', staffId: number | null) => invoke<string>('roster_export', { month, format, staffId }),
  syncStatus: () => invoke<SyncStatus>('sync_status'),
  syncNow: () => invoke<void>('sync_now'),
  /** Checks the ITSM with the secret; the shell keeps the secret in the OS keyring only. */
  syncConnect: (kind: ItsmKind, url: string, user: string | null, secret: string, intervalSeconds: number) =>
    invoke<void>('sync_connect', { kind, url, user, secret, intervalSeconds }),
  syncSetInterval: (seconds: number) => invoke<number>('sync_set_interval', { seconds }),
  syncDisconnect: () => invoke<void>('sync_disconnect'),
  syncConflicts: () => invoke<Conflict[]>('sync_conflicts'),
  syncResolve: (id: number, how: Resolution) => invoke<void>('sync_resolve', { id, how }),
  syncRetry: (opId: string) => invoke<void>('sync_retry', { opId }),
  importRun: (token: string, tz: string, dryRun: boolean, onProgress: (p: { done: number; total: number }) => void) => {
    const channel = new Channel<{ done: number; total: number }>();
    channel.onmessage = onProgress;
    return invoke<ImportReport>('import_run', { token, tz, dryRun, onProgress: channel });
  },
};

/** A chart drawn by the core, the numbers behind it, and the instant they were computed at. */
export interface DashboardView {
  data: DashboardData;
  svg: string;
  now: string;
  /** The period reaches back before the history the replica holds whole (a backfill runs). */
  incomplete: Incomplete | null;
}
