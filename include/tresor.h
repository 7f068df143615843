/* tresor.h: the stable C interface of libtresor (link with
 * `pkg-config --cflags --libs tresor`).
 *
 * Handles are opaque. Every function that can fail returns a status (0 on
 * success, otherwise one of the TRESOR_E_* codes, the same numbers as the
 * tresor CLI's exit codes) and, if `error` is not NULL, stores an error the
 * caller frees with tresor_error_free. Strings the library returns belong to
 * the caller, who frees them with tresor_free (which wipes them first).
 * Strings the library is given are NUL-terminated UTF-8 and are copied. */
#ifndef TRESOR_H
#define TRESOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TRESOR_ABI_VERSION 1

enum {
  TRESOR_OK = 0,
  TRESOR_E_FAILURE = 1,  /* anything not listed below */
  TRESOR_E_USAGE = 2,    /* a bad argument, or a value of another type */
  TRESOR_E_IO = 3,       /* a file could not be read */
  TRESOR_E_NO_KEY = 4,   /* no identity opened the file */
  TRESOR_E_CORRUPT = 5,  /* malformed or modified file */
  TRESOR_E_NOT_FOUND = 6 /* no such value, or a reference that names nothing */
};

typedef struct tresor_error tresor_error;
typedef struct tresor_options tresor_options;
typedef struct tresor_config tresor_config;

/* The library's version, e.g. "0.1.0". */
const char* tresor_version(void);

int tresor_error_code(const tresor_error* error);
/* "FILE:LINE: PATH: what" and the like; never holds a secret value. */
const char* tresor_error_message(const tresor_error* error);
void tresor_error_free(tresor_error* error);

/* Options for tresor_config_open; NULL there means the defaults (keys from
 * the discovery order of docs/agent.md: $TRESOR_IDENTITY,
 * $TRESOR_IDENTITY_FILE, the agent, the keyring; format from the file
 * name). The library never prompts for a passphrase. */
tresor_options* tresor_options_new(void);
void tresor_options_free(tresor_options* options);
int tresor_options_add_identity_file(tresor_options* options, const char* path);
/* Only the keyring key `name` (through the agent if it holds it). */
int tresor_options_set_key(tresor_options* options, const char* name);
int tresor_options_set_format(tresor_options* options, const char* format);
int tresor_options_set_secrets_file(tresor_options* options, const char* path);
/* $sys{name} */
int tresor_options_set_property(tresor_options* options, const char* name, const char* value);
/* The server $store{path#field} reads from: `address` ("https://a:8200",
 * several nodes separated by commas), `token` and `ca_file` (PEM); NULL
 * takes what the tresor CLI takes ($TRESOR_ADDR, $TRESOR_TOKEN or
 * $TRESOR_TOKEN_FILE or ~/.tresor-token, $TRESOR_CACERT; docs/references.md).
 * The server is asked only if a value holds a $store reference. */
int tresor_options_set_server(tresor_options* options, const char* address, const char* token,
                              const char* ca_file);

/* Opens, unlocks and verifies a configuration file and resolves its
 * references. On success *config is a handle for tresor_config_free. */
int tresor_config_open(const char* path, const tresor_options* options, tresor_config** config,
                       tresor_error** error);
void tresor_config_free(tresor_config* config);

/* The value at `path` (e.g. "db.password"): *value is a new NUL-terminated
 * string for tresor_free. */
int tresor_config_get(const tresor_config* config, const char* path, char** value,
                      tresor_error** error);
int tresor_config_get_int(const tresor_config* config, const char* path, int64_t* value,
                          tresor_error** error);
int tresor_config_get_double(const tresor_config* config, const char* path, double* value,
                             tresor_error** error);
/* *value is 1 or 0 (true/false, yes/no, on/off, 1/0). */
int tresor_config_get_bool(const tresor_config* config, const char* path, int* value,
                           tresor_error** error);

/* The number of values, and the path of the i-th (valid while config is). */
size_t tresor_config_count(const tresor_config* config);
const char* tresor_config_path(const tresor_config* config, size_t index);

/* The whole file as a program reads it (unsealed, references resolved):
 * *text is a new NUL-terminated string of *length bytes for tresor_free. */
int tresor_config_render(const tresor_config* config, char** text, size_t* length,
                         tresor_error** error);

/* Wipes and frees a string the library returned; NULL is ignored. */
void tresor_free(char* string);

#ifdef __cplusplus
}
#endif

#endif /* TRESOR_H */
