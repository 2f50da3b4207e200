// Usage text of the `dicomnet` command: the contract other tools script against (issue #2).

export const USAGE = `Usage:
  dicomnet echo HOST PORT [--aet CALLING] [--aec CALLED] [--repeat N] [--timeout SECONDS]
                [--tls] [--ca FILE] [--cert FILE] [--key FILE] [--json]
      Verify a DICOM peer: associate, send N C-ECHOs on one association, release.
      Exit 0 only if every C-ECHO returned Success; 1 on any failure; 2 on bad arguments.

  dicomnet store HOST PORT PATH... [--aet CALLING] [--aec CALLED] [--timeout SECONDS]
                [--tls] [--ca FILE] [--cert FILE] [--key FILE] [--json]
      Send DICOM files (folders are walked; non-DICOM files are reported and skipped) with
      C-STORE. One line per file and a summary; --json prints one JSON object per file, then the
      summary. Exit 0 only if every DICOM file was stored with Success or Warning.

  dicomnet scp [--settings FILE] [--aet TITLE] [--port PORT] [--host ADDR]
               [--storage DIR [--duplicates overwrite|keep|reject] | --ignore]
               [--allow-calling AE[,AE...]] [--max-associations N]
               [--tls-port PORT --cert FILE --key FILE [--ca FILE] [--require-client-cert]]
      Run a DICOM node answering C-ECHO, and C-STORE with --storage (files stored as
      DIR/<study>/<series>/<instance>.dcm) or --ignore (received and discarded). Prints one
      'listening on HOST:PORT' line per listener to stdout, one line per association event and
      per instance to stderr; stops on SIGINT/SIGTERM. --settings reads the app's settings.json
      (checked by the app's schema) for the local node's values; options given win.

  dicomnet --help | --version
`;

/** A bad command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}
