// Runs in every test file: what a file made in the shared temp folder goes when the file is done.

import { afterAll } from 'vitest';
import { removeTestPki } from './helpers/certs';

afterAll(() => removeTestPki());
