/** Infrastructure or usage error with a stable code (`ERR_<AREA>_<WHAT>`); data problems are StepResults instead. */
export class AppError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  /** Suggested HTTP status when the error reaches the API. */
  readonly status: number;

  constructor(code: string, message: string, opts: { retriable?: boolean; status?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.retriable = opts.retriable ?? false;
    this.status = opts.status ?? 500;
  }
}

/** Raised for invalid configuration; the CLI prints it and exits 2. */
export class ConfigError extends AppError {
  constructor(message: string) {
    super('ERR_CONFIG_INVALID', message, { status: 500 });
    this.name = 'ConfigError';
  }
}

/** Raised for bad CLI usage or bad request parameters. */
export class UsageError extends AppError {
  constructor(message: string) {
    super('ERR_USAGE_INVALID', message, { status: 400 });
    this.name = 'UsageError';
  }
}
