/**
 * docs/BENCHMARKS.md, rendered section by section: each measurement module renders its own
 * sections, and this file puts them in order under the header and the targets table.
 */
import os from 'node:os';
import { lambdaRuntimeTarget } from '../../lib/bundling';
import type { BuiltBundle } from '../../local/lambda-bundles';
import { bundleTargetRow, type ColdInit, renderBundleContributors, renderBundleSizes, renderColdInit } from './bundles';
import { type CompactionFigures, compactionTargetRows, renderCompaction } from './compaction';
import { type FeedFigures, feedTargetRows, renderDeltaSync, renderFeedPrice, renderFeedRead } from './feed';
import { priceTargetRow, renderPrice } from './price';
import { type FeedDesignFigures, renderFeedDesigns } from './feed-designs';
import { table } from './format';
import { type Latency, renderLatency } from './latency';
import { renderMessageCosts } from './costs';
import { type ClientFigures, clientTargetRows, renderClient } from './client';
import { type MessageFigures, renderMessages } from './messages';
import { type PodcastFigures, renderPodcasts } from './podcasts';
import { renderRouter, type RouterFigures } from './router';
import { progressTargetRows, renderUnits, type UnitsRow } from './units';

export interface Figures {
  startedAt: Date;
  /** One-minute load average when the run began. */
  loadAtStart: number;
  elapsedS: number;
  bundles: BuiltBundle[];
  coldInit: ColdInit[];
  latency: Latency[];
  units: UnitsRow[];
  feed: FeedFigures;
  compaction: CompactionFigures;
  feedDesigns: FeedDesignFigures;
  podcasts: PodcastFigures;
  messages: MessageFigures;
  router: RouterFigures;
  client: ClientFigures;
}

function renderHeader({ startedAt, loadAtStart, elapsedS }: Figures): string {
  const cpus = os.cpus();
  return `# Benchmarks

Measured figures for the targets below: how big the deployable Lambda bundles are, how
long they take to load, how fast the hot routes answer through the local gateway, how many
DynamoDB request units each operation consumes, what the change feed adds to a write and costs
to read, and what a device pays to catch up through it. \`npm run bench\` (bin/bench/, one module
per measurement) produced this file and overwrites it on every run; the figures are from one
machine and one run, so compare runs on the same machine rather than reading the milliseconds
as absolute.

- **Measured:** ${startedAt.toISOString().replace(/\.\d+Z$/, 'Z')} (run took ${elapsedS.toFixed(0)} s)
- **Machine:** ${os.availableParallelism()} CPUs (nproc), ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}; load average ${loadAtStart.toFixed(2)} at the start (other work on the machine skews the milliseconds, not the sizes or units)
- **Node:** ${process.version} (bench and bundle loads); bundles target \`${lambdaRuntimeTarget}\` as deployed`;
}

function renderTargets(figures: Figures): string {
  return `## Targets

${table(['Target', 'Measured', 'Result'], [bundleTargetRow(figures.bundles), ...progressTargetRows(figures.units), ...feedTargetRows(figures.feed), ...compactionTargetRows(figures.compaction), priceTargetRow(figures.compaction, figures.router), ...clientTargetRows(figures.client)])}`;
}

/** The whole report, in the order the sections are numbered. */
export function renderReport(figures: Figures): string {
  const sections = [
    renderHeader(figures),
    renderTargets(figures),
    renderBundleContributors(figures.bundles),
    renderBundleSizes(figures.bundles),
    renderColdInit(figures.coldInit),
    renderLatency(figures.latency),
    renderUnits(figures.units),
    renderFeedPrice(figures.feed),
    renderCompaction(figures.compaction),
    renderPrice(figures.compaction, figures.router),
    renderFeedDesigns(figures.feedDesigns, figures.feed),
    renderFeedRead(figures.feed),
    renderDeltaSync(figures.feed),
    renderPodcasts(figures.podcasts).trim(),
    renderMessages(figures.messages).trim(),
    renderMessageCosts(figures.messages).trim(),
    renderRouter(figures.router).trim(),
    renderClient(figures.client),
  ];
  return `${sections.filter((s) => s !== undefined).join('\n\n')}\n`;
}
