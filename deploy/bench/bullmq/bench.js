#!/usr/bin/env node
// BullMQ baseline for deploy/bench/throughput.sh: enqueue N no-op jobs, let W worker
// processes drain them, and time it end to end. The last line printed is
//   RESULT system=bullmq items=N seconds=S items_per_s=R submit_ms=M redis=<durable|volatile>
// where S runs from the first addBulk to the moment no job is left waiting or active.
//
//   node bench.js [--items 100000] [--workers 2] [--concurrency 50] [--chunk 1000]
//                 [--host 127.0.0.1] [--port 6379] [--queue NAME]
// Usually started through run.sh, which also sets up a durable Redis when asked.
'use strict';
const { fork } = require('node:child_process');
const { Queue, Worker } = require('bullmq');
const IORedis = require('ioredis');

function parseArgs(argv) {
  const opts = {
    items: 100000, workers: 2, concurrency: 50, chunk: 1000,
    host: '127.0.0.1', port: 6379, queue: `bench-${Date.now()}-${process.pid}`, worker: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (key === 'worker') { opts.worker = true; continue; }
    if (!(key in opts)) throw new Error(`unknown option ${argv[i]}`);
    const value = argv[++i];
    opts[key] = typeof opts[key] === 'number' ? Number(value) : value;
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const connection = { host: opts.host, port: opts.port };
// Own key prefix (BullMQ's default is "bull") so a shared Redis never mixes our keys with others'.
const prefix = 'bullbench';

// --- worker process: one BullMQ Worker, reports its completed count when told to stop ---
async function runWorker() {
  let completed = 0;
  // The processor is a no-op that hands the data back, so we measure the queue, not the work.
  const worker = new Worker(opts.queue, async (job) => job.data,
    { connection, prefix, concurrency: opts.concurrency });
  worker.on('completed', () => { completed++; });
  worker.on('error', (err) => console.error(`worker ${process.pid}: ${err.message}`));
  process.on('disconnect', () => process.exit(1)); // parent died: don't linger
  process.on('message', async (msg) => {
    if (msg !== 'stop') return;
    await worker.close();
    process.send({ completed }, () => process.exit(0));
  });
  await worker.waitUntilReady();
  process.send('ready');
}

// --- parent: enqueue, wait for the queue to drain, clean up, print RESULT ---
async function runBench() {
  const queue = new Queue(opts.queue, { connection, prefix });
  const redis = await redisKind();
  const children = [];
  // Ctrl-C / kill: stop the loops below, so the finally block still removes the queue's keys
  // and a shared Redis is left as found.
  let interrupted = null;
  const check = () => { if (interrupted) throw new Error(`interrupted by ${interrupted}`); };
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { interrupted = sig; });
  try {
    await queue.obliterate({ force: true }); // a fresh name, but be sure it starts empty

    // Start the workers first and wait until all are connected, so startup isn't timed.
    for (let w = 0; w < opts.workers; w++) {
      const child = fork(__filename, [...process.argv.slice(2), '--queue', opts.queue, '--worker']);
      child.exitPromise = new Promise((resolve) => child.on('exit', resolve));
      child.ready = new Promise((resolve, reject) => {
        child.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
        child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
      });
      children.push(child);
    }
    await Promise.all(children.map((c) => c.ready));

    // Build the payloads before the clock starts, as throughput.sh builds its NDJSON body first.
    // removeOnComplete keeps Redis memory flat (the project keeps item rows, but BullMQ would grow).
    const jobOpts = { removeOnComplete: true, removeOnFail: 1000 };
    const chunks = [];
    for (let start = 0; start < opts.items; start += opts.chunk) {
      const chunk = [];
      for (let i = start; i < Math.min(start + opts.chunk, opts.items); i++) {
        chunk.push({ name: 'noop', data: { key: `item-${i}`, n: i }, opts: jobOpts });
      }
      chunks.push(chunk);
    }

    const t0 = process.hrtime.bigint();
    for (const chunk of chunks) { check(); await queue.addBulk(chunk); }
    const submitMs = Number(process.hrtime.bigint() - t0) / 1e6;
    console.error(`submitted ${opts.items} jobs in ${submitMs.toFixed(0)} ms to ${opts.host}:${opts.port} queue ${opts.queue}`);

    // Every job was added before we start polling, so "nothing waiting/active" means all are done.
    let counts;
    for (;;) {
      check();
      counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'paused', 'failed');
      if (counts.wait + counts.active + counts.delayed + counts.prioritized + counts.paused === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

    // Stop the workers and check that they really completed every job exactly once.
    const reports = children.map((c) => new Promise((resolve) => {
      c.once('message', resolve);
      c.once('exit', () => resolve({ completed: 0 })); // died without reporting: caught below
    }));
    children.forEach((c) => c.send('stop'));
    const completed = (await Promise.all(reports)).reduce((sum, r) => sum + r.completed, 0);
    await Promise.all(children.map((c) => c.exitPromise));
    if (counts.failed > 0 || completed !== opts.items) {
      throw new Error(`expected ${opts.items} completed, workers report ${completed}, failed ${counts.failed}`);
    }

    console.log(`RESULT system=bullmq items=${opts.items} seconds=${seconds.toFixed(3)} ` +
      `items_per_s=${Math.round(opts.items / seconds)} submit_ms=${Math.round(submitMs)} redis=${redis}`);
  } finally {
    children.forEach((c) => { if (c.exitCode === null && c.signalCode === null) c.kill(); });
    await queue.obliterate({ force: true }).catch((e) => console.error(`obliterate: ${e.message}`));
    await queue.close();
  }
}

// "durable" = append-only file on (the fsync policy goes to stderr); "volatile" = no AOF.
async function redisKind() {
  const client = new IORedis(connection);
  try {
    const [, aof] = await client.config('GET', 'appendonly');
    const [, fsync] = await client.config('GET', 'appendfsync');
    console.error(`redis ${opts.host}:${opts.port} appendonly=${aof} appendfsync=${fsync}`);
    return aof === 'yes' ? 'durable' : 'volatile';
  } catch {
    return 'unknown'; // CONFIG may be disabled on managed Redis
  } finally {
    client.disconnect();
  }
}

(opts.worker ? runWorker() : runBench()).catch((err) => {
  console.error(err);
  process.exit(1);
});
