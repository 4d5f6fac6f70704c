/* The floor under the idle row of bench/http: libmicrohttpd started the way
 * src/http/listener.c starts it (own listening socket, one epoll daemon with
 * its internal thread, suspend/resume allowed), answering every request with
 * one static body, and nothing else: no GLib, no jansson, none of atomixd's
 * code. Its idle RSS is what libc, libmicrohttpd and the GnuTLS chain Debian's
 * libmicrohttpd12 links (and initialises in its constructor) cost before any
 * of ours.
 *
 * Usage: bench-mhd-floor PORT   (listens on 127.0.0.1:PORT until SIGTERM) */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char body[] = "{\"status\":\"ok\"}";

static enum MHD_Result
answer(void *cls, struct MHD_Connection *connection, const char *url, const char *method, const char *version,
       const char *upload_data, size_t *upload_data_size, void **req_cls)
{
  struct MHD_Response *response = cls;
  return MHD_queue_response(connection, MHD_HTTP_OK, response);
}

static int
listen_on_loopback(unsigned short port)
{
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int yes = 1;
  struct sockaddr_in address = { .sin_family = AF_INET,
                                 .sin_port = htons(port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) < 0 ||
      bind(fd, (struct sockaddr *) &address, sizeof address) < 0 || listen(fd, SOMAXCONN) < 0) {
    perror("bench-mhd-floor: listen");
    exit(1);
  }
  return fd;
}

int
main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: bench-mhd-floor PORT\n");
    return 2;
  }
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, NULL); /* before MHD's thread starts, so it inherits the mask */
  int fd = listen_on_loopback((unsigned short) atoi(argv[1]));
  struct MHD_Response *response =
      MHD_create_response_from_buffer(sizeof body - 1, (void *) body, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
  struct MHD_Daemon *daemon = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME, 0, NULL,
                                               NULL, answer, response, MHD_OPTION_LISTEN_SOCKET, (MHD_socket) fd,
                                               MHD_OPTION_CONNECTION_TIMEOUT, 120u, MHD_OPTION_END);
  if (!daemon) {
    fprintf(stderr, "bench-mhd-floor: cannot start libmicrohttpd\n");
    return 1;
  }
  int signal_number = 0;
  sigwait(&stop, &signal_number);
  MHD_stop_daemon(daemon);
  MHD_destroy_response(response);
  return 0;
}
