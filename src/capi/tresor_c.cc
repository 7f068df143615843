// The C interface (include/tresor.h) over tresor::Config. No C++ exception
// or type crosses it: every entry point catches, and maps errors to codes.
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "cli/exit_codes.h"
#include "crypto/secret_bytes.h"
#include "runtime/config.h"
#include "tresor.h"

struct tresor_error {
  int code;
  std::string message;
};

struct tresor_options {
  tresor::ConfigOptions options;
};

struct tresor_config {
  tresor::Config config;
};

namespace {

int Fail(tresor_error** error, int code, std::string message) {
  if (error != nullptr) *error = new (std::nothrow) tresor_error{code, std::move(message)};
  return code;
}

int Fail(tresor_error** error, const tresor::Error& e) {
  return Fail(error, tresor::cli::ExitCodeFor(e.code), e.message);
}

char* NewString(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out == nullptr) return nullptr;
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  return out;
}

// Runs `body`, turning exceptions (allocation failure) into TRESOR_E_FAILURE.
template <typename Body>
int Guarded(tresor_error** error, Body body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return Fail(error, TRESOR_E_FAILURE, std::string("internal error: ") + e.what());
  } catch (...) {
    return Fail(error, TRESOR_E_FAILURE, "internal error");
  }
}

template <typename T, typename Getter>
int GetTyped(const tresor_config* config, const char* path, T* value, tresor_error** error,
             Getter getter) {
  if (config == nullptr || path == nullptr || value == nullptr) {
    return Fail(error, TRESOR_E_USAGE, "NULL argument");
  }
  return Guarded(error, [&]() -> int {
    auto got = getter(config->config, path);
    if (!got) return Fail(error, got.error());
    *value = static_cast<T>(*got);
    return TRESOR_OK;
  });
}

}  // namespace

extern "C" {

const char* tresor_version(void) { return TRESOR_VERSION; }

int tresor_error_code(const tresor_error* error) {
  return error != nullptr ? error->code : TRESOR_OK;
}

const char* tresor_error_message(const tresor_error* error) {
  return error != nullptr ? error->message.c_str() : "";
}

void tresor_error_free(tresor_error* error) { delete error; }

tresor_options* tresor_options_new(void) { return new (std::nothrow) tresor_options(); }

void tresor_options_free(tresor_options* options) { delete options; }

int tresor_options_add_identity_file(tresor_options* options, const char* path) {
  if (options == nullptr || path == nullptr) return TRESOR_E_USAGE;
  return Guarded(nullptr, [&]() -> int {
    options->options.identity_files.emplace_back(path);
    return TRESOR_OK;
  });
}

int tresor_options_set_key(tresor_options* options, const char* name) {
  if (options == nullptr || name == nullptr) return TRESOR_E_USAGE;
  return Guarded(nullptr, [&]() -> int {
    options->options.key_name = name;
    return TRESOR_OK;
  });
}

int tresor_options_set_format(tresor_options* options, const char* format) {
  if (options == nullptr || format == nullptr) return TRESOR_E_USAGE;
  return Guarded(nullptr, [&]() -> int {
    options->options.format = format;
    return TRESOR_OK;
  });
}

int tresor_options_set_secrets_file(tresor_options* options, const char* path) {
  if (options == nullptr || path == nullptr) return TRESOR_E_USAGE;
  return Guarded(nullptr, [&]() -> int {
    options->options.secrets_file = path;
    return TRESOR_OK;
  });
}

int tresor_options_set_property(tresor_options* options, const char* name, const char* value) {
  if (options == nullptr || name == nullptr || value == nullptr) return TRESOR_E_USAGE;
  return Guarded(nullptr, [&]() -> int {
    options->options.properties[name] = value;
    return TRESOR_OK;
  });
}

int tresor_options_set_server(tresor_options* options, const char* address, const char* token,
                              const char* ca_file) {
  if (options == nullptr) return TRESOR_E_USAGE;
  return Guarded(nullptr, [&]() -> int {
    tresor::runtime::ServerOptions& server = options->options.server;
    server.address = address != nullptr ? address : "";
    server.token = token != nullptr ? token : "";
    server.ca_file = ca_file != nullptr ? ca_file : "";
    return TRESOR_OK;
  });
}

int tresor_config_open(const char* path, const tresor_options* options, tresor_config** config,
                       tresor_error** error) {
  if (path == nullptr || config == nullptr) return Fail(error, TRESOR_E_USAGE, "NULL argument");
  *config = nullptr;
  return Guarded(error, [&]() -> int {
    static const tresor::ConfigOptions kDefaults;
    auto opened = tresor::Config::Open(path, options != nullptr ? options->options : kDefaults);
    if (!opened) return Fail(error, opened.error());
    *config = new tresor_config{std::move(*opened)};
    return TRESOR_OK;
  });
}

void tresor_config_free(tresor_config* config) { delete config; }

int tresor_config_get(const tresor_config* config, const char* path, char** value,
                      tresor_error** error) {
  if (config == nullptr || path == nullptr || value == nullptr) {
    return Fail(error, TRESOR_E_USAGE, "NULL argument");
  }
  *value = nullptr;
  return Guarded(error, [&]() -> int {
    auto got = config->config.Get(path);
    if (!got) return Fail(error, got.error());
    *value = NewString(*got);
    tresor::crypto::Wipe({reinterpret_cast<uint8_t*>(got->data()), got->size()});
    return *value != nullptr ? TRESOR_OK : Fail(error, TRESOR_E_FAILURE, "out of memory");
  });
}

int tresor_config_get_int(const tresor_config* config, const char* path, int64_t* value,
                          tresor_error** error) {
  return GetTyped(config, path, value, error,
                  [](const tresor::Config& c, const char* p) { return c.GetInt(p); });
}

int tresor_config_get_double(const tresor_config* config, const char* path, double* value,
                             tresor_error** error) {
  return GetTyped(config, path, value, error,
                  [](const tresor::Config& c, const char* p) { return c.GetDouble(p); });
}

int tresor_config_get_bool(const tresor_config* config, const char* path, int* value,
                           tresor_error** error) {
  return GetTyped(config, path, value, error,
                  [](const tresor::Config& c, const char* p) { return c.GetBool(p); });
}

size_t tresor_config_count(const tresor_config* config) {
  return config != nullptr ? config->config.entries().size() : 0;
}

const char* tresor_config_path(const tresor_config* config, size_t index) {
  if (config == nullptr || index >= config->config.entries().size()) return nullptr;
  return config->config.entries()[index].path.c_str();
}

int tresor_config_render(const tresor_config* config, char** text, size_t* length,
                         tresor_error** error) {
  if (config == nullptr || text == nullptr) return Fail(error, TRESOR_E_USAGE, "NULL argument");
  *text = nullptr;
  return Guarded(error, [&]() -> int {
    std::string rendered = config->config.Render();
    *text = NewString(rendered);
    if (length != nullptr) *length = rendered.size();
    tresor::crypto::Wipe({reinterpret_cast<uint8_t*>(rendered.data()), rendered.size()});
    return *text != nullptr ? TRESOR_OK : Fail(error, TRESOR_E_FAILURE, "out of memory");
  });
}

void tresor_free(char* string) {
  if (string == nullptr) return;
  tresor::crypto::Wipe({reinterpret_cast<uint8_t*>(string), std::strlen(string)});
  std::free(string);
}

}  // extern "C"
