/** Every provider heaven knows, by the name `.github/heaven.yml` uses. */
import type { ProviderRegistry } from "../src/core/provider.js";
import { ansible } from "./ansible.js";
import { bundlerCapistrano } from "./bundler-capistrano.js";
import { capistrano } from "./capistrano.js";
import { elasticBeanstalk } from "./elastic-beanstalk.js";
import { fabric } from "./fabric.js";
import { heroku } from "./heroku.js";
import { shell } from "./shell.js";
import { ssh } from "./ssh.js";

export const providers: ProviderRegistry = { ansible, bundler_capistrano: bundlerCapistrano, capistrano, elastic_beanstalk: elasticBeanstalk, fabric, heroku, shell, ssh };
