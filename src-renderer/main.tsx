import { CssBaseline, ThemeProvider, createTheme, useMediaQuery } from '@mui/material';
import { StrictMode, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';

function Root() {
  const prefersDark = useMediaQuery('(prefers-color-scheme: dark)');
  const [mode, setMode] = useState<'light' | 'dark' | undefined>(undefined);
  const effective = mode ?? (prefersDark ? 'dark' : 'light');
  const theme = useMemo(() => createTheme({ palette: { mode: effective }, shape: { borderRadius: 6 }, typography: { fontSize: 13 } }), [effective]);
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <App mode={effective} onToggleMode={() => setMode(effective === 'dark' ? 'light' : 'dark')} />
    </ThemeProvider>
  );
}

createRoot(document.getElementById('root')!).render(<StrictMode><Root /></StrictMode>);
