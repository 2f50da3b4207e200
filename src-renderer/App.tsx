import { AppBar, Box, IconButton, Tab, Tabs, Toolbar, Tooltip, Typography } from '@mui/material';
import { useState } from 'react';
import { ActivityPage } from './pages/ActivityPage';
import { CertificatesPage } from './pages/CertificatesPage';
import { LocalNodePage } from './pages/LocalNodePage';
import { PeersPage } from './pages/PeersPage';
import { ReceivedPage } from './pages/ReceivedPage';
import { SendPage } from './pages/SendPage';

const PAGES = ['Local node', 'Peers', 'Activity', 'Send', 'Received', 'Certificates'] as const;

export function App({ mode, onToggleMode }: { mode: 'light' | 'dark'; onToggleMode: () => void }) {
  const [page, setPage] = useState(0);
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', height: '100vh' }}>
      <AppBar position="static" elevation={0}>
        <Toolbar variant="dense">
          <Typography variant="h6" sx={{ mr: 3 }}>DICOMnet</Typography>
          <Tabs value={page} onChange={(_e, v: number) => setPage(v)} textColor="inherit" indicatorColor="secondary" sx={{ flexGrow: 1 }}>
            {PAGES.map((p) => <Tab key={p} label={p} />)}
          </Tabs>
          <Tooltip title={`Switch to ${mode === 'dark' ? 'light' : 'dark'} theme`}>
            <IconButton color="inherit" onClick={onToggleMode} aria-label="toggle theme">{mode === 'dark' ? '☀' : '☾'}</IconButton>
          </Tooltip>
        </Toolbar>
      </AppBar>
      <Box component="main" sx={{ flexGrow: 1, overflow: 'auto', p: 2 }}>
        {page === 0 && <LocalNodePage />}
        {page === 1 && <PeersPage />}
        {page === 2 && <ActivityPage />}
        {page === 3 && <SendPage />}
        {page === 4 && <ReceivedPage />}
        {page === 5 && <CertificatesPage />}
      </Box>
    </Box>
  );
}
