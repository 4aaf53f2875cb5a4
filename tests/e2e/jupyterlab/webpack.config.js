// Builds index.js into build/bundle.js, and (through @jupyterlab/builder)
// copies each extension's settings schemas, themes and styles into build/.
const webpack = require('webpack');
const { Build } = require('@jupyterlab/builder');
const pkg = require('./package.json');

const assets = Build.ensureAssets({
  packageNames: pkg.jupyterlab.extensions,
  output: './build',
  hashFunction: 'sha256'
});

module.exports = [
  {
    entry: ['whatwg-fetch', './index.js'],
    output: {
      path: __dirname + '/build',
      filename: 'bundle.js',
      hashFunction: 'sha256'
    },
    bail: true,
    // development: no minifying (minutes on small CI machines, and this
    // bundle is only served from 127.0.0.1)
    mode: 'development',
    devtool: false,
    performance: { hints: false },
    module: {
      rules: [
        { test: /\.css$/, use: ['style-loader', 'css-loader'] },
        { test: /\.html$/, use: 'file-loader' },
        { test: /\.md$/, use: 'raw-loader' },
        { test: /\.(jpg|png|gif)$/, use: 'file-loader' },
        { test: /\.js\.map$/, use: 'file-loader' },
        { test: /\.(woff2?|ttf)(\?v=\d+\.\d+\.\d+)?$/, use: { loader: 'url-loader', options: { limit: 10000 } } },
        { test: /\.eot(\?v=\d+\.\d+\.\d+)?$/, use: 'file-loader' },
        // SVG referenced from CSS becomes a data URI; imported from JS, a string.
        {
          test: /\.svg(\?v=\d+\.\d+\.\d+)?$/,
          issuer: /\.css$/,
          use: { loader: 'svg-url-loader', options: { encoding: 'none', limit: 10000 } }
        },
        { test: /\.svg(\?v=\d+\.\d+\.\d+)?$/, issuer: /\.js$/, use: 'raw-loader' }
      ]
    },
    plugins: [
      new webpack.DefinePlugin({
        'process.env': '{}',
        process: { cwd: () => '/' }
      })
    ]
  }
].concat(assets);
