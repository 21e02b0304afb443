/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/unit/ingress.test.ts > TAP > nginx.conf snapshot > two hosts, Prefix/Exact/ImplementationSpecific, TLS, a missing backend 1`] = `
# podlab ingress-nginx controller ingress-nginx/ingress-nginx-controller-ddjfadcced-cbfdf: generated from Ingress shop/shop, shop/later
# generation 3
daemon off;
worker_processes 1;
pid /run/podlab/u/ingress-nginx/nginx.pid;
error_log /run/podlab/u/ingress-nginx/error.log notice;
events { worker_connections 1024; }

http {
  access_log /run/podlab/u/ingress-nginx/access.log;
  client_body_temp_path /run/podlab/u/ingress-nginx/tmp/body;
  proxy_temp_path /run/podlab/u/ingress-nginx/tmp/proxy;
  fastcgi_temp_path /run/podlab/u/ingress-nginx/tmp/fastcgi;
  uwsgi_temp_path /run/podlab/u/ingress-nginx/tmp/uwsgi;
  scgi_temp_path /run/podlab/u/ingress-nginx/tmp/scgi;
  server_names_hash_bucket_size 128;
  server_tokens off;

  upstream shop-api-80 {
    server 10.244.1.2:8080 max_fails=0; # shop/api-1
  }
  upstream shop-api-http {
    server 10.244.1.2:8080 max_fails=0; # shop/api-1
  }
  upstream shop-web-80 {
    server 10.244.0.2:8080 max_fails=0; # shop/web-1
  }

  server { # the default server: unknown hosts and rules without a host
    listen 80 default_server;
    listen 443 ssl default_server;
    server_name _;
    ssl_certificate /run/podlab/u/ingress-nginx/certs/fake.pem;
    ssl_certificate_key /run/podlab/u/ingress-nginx/certs/fake.pem;
    location / { # no rule: the default backend
      return 404;
    }
  }

  server {
    listen 80;
    listen 443 ssl;
    server_name blog.example;
    ssl_certificate /run/podlab/u/ingress-nginx/certs/fake.pem;
    ssl_certificate_key /run/podlab/u/ingress-nginx/certs/fake.pem;
    location /old { # shop/shop ImplementationSpecific /old -> shop/gone:80
      return 503; # no Service shop/gone
    }
    location / { # no rule: the default backend
      return 404;
    }
  }

  server {
    listen 80;
    listen 443 ssl;
    server_name shop.example;
    # TLS from Secret shop/shop-tls
    ssl_certificate /run/podlab/u/ingress-nginx/certs/shop-shop-tls.pem;
    ssl_certificate_key /run/podlab/u/ingress-nginx/certs/shop-shop-tls.pem;
    location = /status { # shop/shop Exact /status -> shop/api:80
      set $proxy_upstream_name "shop-api-80";
      proxy_set_header Host $host;
      proxy_set_header X-Request-ID $request_id;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Port $server_port;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Scheme $scheme;
      proxy_set_header X-Scheme $scheme;
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header Connection "";
      proxy_http_version 1.1;
      proxy_connect_timeout 5s;
      proxy_next_upstream error timeout;
      proxy_pass http://shop-api-80;
    }
    location /api/ { # shop/shop Prefix /api -> shop/api:http
      set $proxy_upstream_name "shop-api-http";
      proxy_set_header Host $host;
      proxy_set_header X-Request-ID $request_id;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Port $server_port;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Scheme $scheme;
      proxy_set_header X-Scheme $scheme;
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header Connection "";
      proxy_http_version 1.1;
      proxy_connect_timeout 5s;
      proxy_next_upstream error timeout;
      proxy_pass http://shop-api-http;
    }
    location = /api { # shop/shop Prefix /api -> shop/api:http
      set $proxy_upstream_name "shop-api-http";
      proxy_set_header Host $host;
      proxy_set_header X-Request-ID $request_id;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Port $server_port;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Scheme $scheme;
      proxy_set_header X-Scheme $scheme;
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header Connection "";
      proxy_http_version 1.1;
      proxy_connect_timeout 5s;
      proxy_next_upstream error timeout;
      proxy_pass http://shop-api-http;
    }
    location / { # shop/shop Prefix / -> shop/web:80
      set $proxy_upstream_name "shop-web-80";
      proxy_set_header Host $host;
      proxy_set_header X-Request-ID $request_id;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Port $server_port;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Scheme $scheme;
      proxy_set_header X-Scheme $scheme;
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header Connection "";
      proxy_http_version 1.1;
      proxy_connect_timeout 5s;
      proxy_next_upstream error timeout;
      proxy_pass http://shop-web-80;
    }
  }

  server { # status (ingress-nginx's 10246) and the live generation, for podlab
    listen 127.0.0.1:10246;
    location /nginx_status { stub_status; }
    location = /podlab-generation { return 200 "3"; }
  }
}

`
