// Drives @cubejs-client/core against a running Lattice REST API and prints
// what the client library made of the answers, as JSON, for the Go test
// (proxy/httpapi) to compare with the SQL interface.
//
// usage: node client.mjs <apiUrl> <token> <queries.json>
// queries.json: {"load": {"name": <Cube query>, ...}}
import cubejs from '@cubejs-client/core';
import { readFileSync } from 'node:fs';

const [apiUrl, token, queriesFile] = process.argv.slice(2);
const { load } = JSON.parse(readFileSync(queriesFile, 'utf8'));
const api = cubejs(token, { apiUrl });

const out = { load: {}, meta: null, errors: {} };
for (const [name, query] of Object.entries(load)) {
  try {
    const rs = await api.load(query);
    out.load[name] = { rows: rs.tablePivot(), series: rs.seriesNames().map((s) => s.key) };
  } catch (e) {
    out.errors[name] = { status: e.status ?? null, message: e.message };
  }
}
const meta = await api.meta();
out.meta = meta.cubes.map((c) => ({
  name: c.name,
  measures: c.measures.map((m) => m.name),
  dimensions: c.dimensions.map((d) => d.name),
  segments: c.segments.map((s) => s.name),
}));
try {
  const sql = await api.sql(Object.values(load)[0]);
  out.sql = sql.rawQuery().sql[0].length > 0;
} catch (e) {
  out.errors.sql = { message: e.message };
}
try {
  const dry = await api.dryRun(Object.values(load)[0]);
  out.dryRun = dry.queryType;
} catch (e) {
  out.errors.dryRun = { message: e.message };
}
process.stdout.write(JSON.stringify(out));
