// The one typed wrapper around every command the window invokes. The data types are
// generated from the Rust core (ts-rs) into ./bindings; do not edit those by hand.
import { invoke } from '@tauri-apps/api/core';
import type { Facets, QueueCounts, QueueFilter, QueuePage, ReplicaInfo, TicketDetail } from './bindings/queue';

/** The closed set of error codes the shell returns (mirrors `IpcError` in Rust). */
export type ErrorCode = 'not_found' | 'invalid_input' | 'storage' | 'internal';

/** An error from a command: a code the UI can act on and a message for people. */
export interface IpcError {
  code: ErrorCode;
  message: string;
}

export function isIpcError(e: unknown): e is IpcError {
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e;
}

export const api = {
  queuePage: (filter: QueueFilter, offset: number, limit: number) => invoke<QueuePage>('queue_page', { filter, offset, limit }),
  queueCounts: (filter: QueueFilter) => invoke<QueueCounts>('queue_counts', { filter }),
  ticket: (number: string) => invoke<TicketDetail>('ticket_detail', { number }),
  replicaInfo: () => invoke<ReplicaInfo>('replica_info'),
  facets: () => invoke<Facets>('facets'),
};
