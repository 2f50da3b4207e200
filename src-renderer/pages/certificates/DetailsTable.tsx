// Label/value rows, as a compact two-column table.

import { Table, TableBody, TableCell, TableRow } from '@mui/material';
import type { ReactNode } from 'react';

export type DetailRow = readonly [label: string, value: ReactNode];

export function DetailsTable({ rows, label }: { rows: readonly DetailRow[]; label?: string }) {
  return (
    <Table size="small" aria-label={label} sx={{ tableLayout: 'fixed', '& td': { verticalAlign: 'top', overflowWrap: 'anywhere' } }}>
      <TableBody>
        {rows.map(([k, v]) => (
          <TableRow key={k}>
            <TableCell component="th" scope="row" sx={{ width: 170, color: 'text.secondary' }}>{k}</TableCell>
            <TableCell>{v}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
