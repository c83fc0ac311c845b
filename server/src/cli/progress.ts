/** Progress for long commands: a bar on a terminal, plain lines otherwise (logs, CI). */
export class Progress {
  private last = 0;
  private readonly tty = Boolean(process.stderr.isTTY);
  constructor(
    private readonly label: string,
    public total: number,
  ) {}

  update(done: number): void {
    const now = Date.now();
    if (done < this.total && now - this.last < (this.tty ? 100 : 2000)) return;
    this.last = now;
    const pct = this.total ? Math.floor((done / this.total) * 100) : 100;
    if (this.tty) {
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      process.stderr.write(
        `\r${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct}% ${done}/${this.total}`,
      );
      if (done >= this.total) process.stderr.write('\n');
    } else {
      process.stderr.write(`${this.label}: ${done}/${this.total} (${pct}%)\n`);
    }
  }
}
