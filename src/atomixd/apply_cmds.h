/* atomixd's platform applier commands: option parsing and output; the work is
 * in src/device/apply. Each is one row in main.c's command table. */
#pragma once

#include "cli/command.h"

int atx_cmd_apply_firewall(const AtxCommand *self, int argc, char **argv);
int atx_cmd_apply_lan(const AtxCommand *self, int argc, char **argv);
int atx_cmd_apply_users(const AtxCommand *self, int argc, char **argv);
int atx_cmd_sync_quadlet(const AtxCommand *self, int argc, char **argv);
