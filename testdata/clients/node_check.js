// node-postgres against Lattice: a parameterized query and a named prepared
// statement run twice. Prints one "name<TAB>value" line per check.
const { Client } = require('pg');

async function main() {
  const [host, port] = process.argv[2].split(':');
  const client = new Client({ host, port: Number(port), user: 'any', database: 'any', password: process.argv[3] });
  await client.connect();
  const q = 'SELECT status, MEASURE(count) AS n FROM orders WHERE status = $1 GROUP BY 1';
  const a = await client.query(q, ['completed']);
  console.log(`param\t${a.rows.map((r) => `${r.status}=${r.n}`).join(',')}`);
  const named = [];
  for (const s of ['completed', 'shipped']) {
    const r = await client.query({ name: 'by_status', text: q, values: [s] });
    named.push(`${r.rows[0].status}=${r.rows[0].n}`);
  }
  console.log(`named\t${named.join(',')}`);
  await client.end();
}

main().catch((e) => { console.error(e.message, e.code); process.exit(1); });
