#!/usr/bin/env node
// Runs the compiled command line; `npm ci` builds it (the prepare script).
import "../lib/src/cli/heaven.js";
