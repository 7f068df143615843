/* A C program built against the installed libtresor with pkg-config:
 * read_value FILE PATH [int|double|bool|string [KEY]] prints the value at
 * PATH, opening FILE with keyring key KEY if given, and reading $store
 * references from the server $READ_VALUE_SERVER if set. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tresor.h>

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: read_value FILE PATH [int|double|bool|string [KEY]]\n");
    return 2;
  }
  tresor_config* config = NULL;
  tresor_error* error = NULL;
  tresor_options* options = NULL;
  const char* server = getenv("READ_VALUE_SERVER");
  if (argc > 4 || server != NULL) {
    options = tresor_options_new();
    if (options == NULL) return 1;
    if (argc > 4 && tresor_options_set_key(options, argv[4]) != TRESOR_OK) return 1;
    if (server != NULL && tresor_options_set_server(options, server, NULL, NULL) != TRESOR_OK) {
      return 1;
    }
  }
  int status = tresor_config_open(argv[1], options, &config, &error);
  tresor_options_free(options);
  if (status == TRESOR_OK) {
    const char* type = argc > 3 ? argv[3] : "string";
    if (strcmp(type, "int") == 0) {
      int64_t v = 0;
      status = tresor_config_get_int(config, argv[2], &v, &error);
      if (status == TRESOR_OK) printf("%" PRId64 "\n", v);
    } else if (strcmp(type, "double") == 0) {
      double v = 0;
      status = tresor_config_get_double(config, argv[2], &v, &error);
      if (status == TRESOR_OK) printf("%g\n", v);
    } else if (strcmp(type, "bool") == 0) {
      int v = 0;
      status = tresor_config_get_bool(config, argv[2], &v, &error);
      if (status == TRESOR_OK) printf("%s\n", v ? "true" : "false");
    } else {
      char* v = NULL;
      status = tresor_config_get(config, argv[2], &v, &error);
      if (status == TRESOR_OK) printf("%s\n", v);
      tresor_free(v);
    }
  }
  if (status != TRESOR_OK) {
    fprintf(stderr, "error %d: %s\n", tresor_error_code(error), tresor_error_message(error));
  }
  tresor_error_free(error);
  tresor_config_free(config);
  return status;
}
