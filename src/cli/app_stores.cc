// tresor operator migrate and snapshot: commands that open stores
// themselves rather than call the server's API.
#include "cli/app_client.h"
#include "cli/app_options.h"

namespace tresor::cli {
namespace {

// tresor operator migrate (migrate_command.h): not a client of the server,
// it opens the stores themselves.
void AddMigrateCommand(CLI::App* op, ClientCommands& c) {
  MigrateOptions& o = c.migrate;
  c.migrate_command = op->add_subcommand(
      "migrate",
      "Copy every record of a stopped server's store into an empty one, as stored (still "
      "encrypted), and check counts and digests: sqlite:DIR, etcd:HOST:PORT[,...] or "
      "config:server.toml (its [storage], TLS included)");
  c.migrate_command->add_option("--from", o.from, "The store to copy")
      ->required()
      ->type_name("STORE");
  c.migrate_command->add_option("--to", o.to, "The empty store to fill")
      ->required()
      ->type_name("STORE");
  c.migrate_command
      ->add_option("--prefix", o.prefix, "The key prefix of etcd: stores (default tresor/)")
      ->type_name("PREFIX");
  c.migrate_command->add_flag("--json", o.json, "Print the outcome as JSON");
  c.migrate_command->footer("STORE: sqlite:DIR, etcd:HOST:PORT[,...] or config:server.toml\n");
}

// tresor operator snapshot save | restore (snapshot_command.h): they open
// the stores themselves too.
void AddSnapshotCommands(CLI::App* op, ClientCommands& c) {
  SnapshotOptions& o = c.snapshot;
  CLI::App* snapshot =
      op->add_subcommand("snapshot",
                         "Save a server's store to an age file, or restore one into an empty data "
                         "directory (the records stay sealed: keep the unseal keys apart)");
  snapshot->require_subcommand(1);
  c.snapshot_save = snapshot->add_subcommand(
      "save",
      "Write one consistent view of every record (read beside a running server) to FILE, "
      "encrypted to the recipients; FILE appears only once whole");
  c.snapshot_save->add_option("--from", o.store, "The store to save")
      ->required()
      ->type_name("STORE");
  AddRecipientOptions(c.snapshot_save, o.to, "Encrypt");
  c.snapshot_restore = snapshot->add_subcommand(
      "restore",
      "Decrypt and check FILE into a new SQLite data directory beside DIR, then move it into "
      "place (DIR absent or empty); or replace every secret of a running server with it");
  c.snapshot_restore
      ->add_option("--to", o.store,
                   "sqlite:DIR (a new data directory), or server[:URL] (the running server at "
                   "URL, default $TRESOR_ADDR: asks first, and the server seals itself)")
      ->required()
      ->type_name("STORE");
  c.snapshot_restore->add_flag("--yes", o.yes,
                               "With --to server: do not ask (needed when stdin is not a "
                               "terminal)");
  AddRepeatable(c.snapshot_restore, "-i,--identity", o.identity_files,
                "Decrypt with the identities in FILE; repeatable", "FILE");
  for (CLI::App* cmd : {c.snapshot_save, c.snapshot_restore}) {
    cmd->add_option("FILE", o.file, "The snapshot file (\"-\": stdout or stdin)")->required();
    cmd->add_option("--prefix", o.prefix, "The key prefix of etcd: stores (default tresor/)")
        ->type_name("PREFIX");
    AddPassphraseFileOption(cmd, o.passphrase_file);
    cmd->add_flag("--json", o.json, "Print the outcome as JSON");
  }
  c.snapshot_save->footer("STORE: sqlite:DIR, etcd:HOST:PORT[,...] or config:server.toml\n");
  c.snapshot_restore->footer(
      "Then start the server on DIR (or, with --to server, the server is sealed) and unseal it "
      "with the unseal keys of the saved store.\n");
}

}  // namespace

void AddStoreCommands(CLI::App* op, ClientCommands& c) {
  AddMigrateCommand(op, c);
  AddSnapshotCommands(op, c);
}

}  // namespace tresor::cli
