import { entraDirectory } from './entra.js';
import { ldapDirectory } from './ldap.js';
import { oktaDirectory } from './okta.js';
import type { DirectoryDescriptor } from './types.js';

/** Every directory connector; DIRECTORY_PROVIDER picks one by name. Adding one is one file plus a line here. */
export const DIRECTORY_PROVIDERS: ReadonlyArray<DirectoryDescriptor<any>> = [oktaDirectory, entraDirectory, ldapDirectory];

export const directoryProvider = (name: string): DirectoryDescriptor<any> | undefined => DIRECTORY_PROVIDERS.find((d) => d.name === name);
