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
      (checked by the app's schema) for the local node's values, its TLS listener included (our
      identity and trusted certificates from the pki/ folder beside it); options given win.

  dicomnet cert create [--key-type ec-p256|rsa-2048|rsa-3072] [--cn NAME] [--org O] [--ou OU]
                [--country CC] [--dns NAME]... [--ip ADDR]... [--days N] [--data DIR] [--json]
  dicomnet cert csr    [the same subject options] [--out FILE] [--data DIR]
  dicomnet cert inspect FILE... [--passphrase P] [--data DIR] [--json]
  dicomnet cert import FILE... [--passphrase P] [--data DIR] [--json]
  dicomnet cert trust FILE... [--label TEXT] [--data DIR] [--json]
  dicomnet cert untrust FINGERPRINT [--data DIR]
  dicomnet cert list [--data DIR] [--json]
  dicomnet cert export [--out FILE] [--data DIR]
      Our TLS identity and trusted certificates, in the app's data folder (--data DIR, else
      $DICOMNET_DATA, else the desktop app's folder). create: a new key and a self-signed
      certificate, its names filled from the app's settings and this machine; csr: a new key and
      a signing request for your CA (import the CA's answer with 'cert import'); inspect: PEM,
      DER or PKCS#12, prints subject, issuer, names, validity, key, SHA-256 fingerprint and the
      chain to the trusted certificates, exit 1 if the file holds no certificate or the passphrase
      is wrong ($DICOMNET_PASSPHRASE also gives it); import: our certificate and key (PEM, DER,
      PKCS#12); trust: a CA or peer certificate; export: our certificate in PEM (never the key).

  dicomnet --help | --version
`;

/** A bad command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}
