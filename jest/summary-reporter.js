// Prints one plain closing line, "N passed, N failed[, N skipped]", that any CI can read. It is
// written at process exit so it comes after jest's own summary. Before it, one line says whether
// the PostgreSQL suites (describe blocks titled "[postgres] ...") ran, and how to run them if not.
const POSTGRES_COMMAND = 'pg_virtualenv -t -o fsync=off npm test';

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const lines = [];
    let postgresRan = 0;
    let postgresSkipped = 0;
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        if (!(test.ancestorTitles[0] ?? '').startsWith('[postgres]')) continue;
        if (test.status === 'pending' || test.status === 'skipped') postgresSkipped++;
        else postgresRan++;
      }
    }
    if (postgresSkipped > 0 && postgresRan === 0) {
      lines.push(
        `PostgreSQL: NOT RUN (${postgresSkipped} tests skipped: no PostgreSQL found, PGHOST/PGPORT/TEST_POSTGRES_URL unset). Run them with: ${POSTGRES_COMMAND}`,
      );
    } else if (postgresRan > 0) {
      const servers = process.env.TEST_DATABASE === 'postgres' ? 'PostgreSQL' : 'SQLite';
      lines.push(`PostgreSQL: ${postgresRan} tests ran${postgresSkipped ? `, ${postgresSkipped} skipped` : ''}; server suites on ${servers}`);
    }
    lines.push(`${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
    process.once('exit', () => process.stderr.write(`${lines.join('\n')}\n`));
  }
}
module.exports = SummaryReporter;
