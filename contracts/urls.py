from django.urls import path

from contracts import payment_views, views

app_name = "contracts"

urlpatterns = [
    # OPD officers
    path("opd/", views.officer_contracts, name="officer-contracts"),
    path("opd/<int:contract_id>/", views.officer_contract, name="officer-contract"),
    path(
        "opd/<int:contract_id>/pengiriman/",
        views.officer_delivery_record,
        name="officer-delivery-record",
    ),
    path("opd/<int:contract_id>/bast/", views.officer_handover_sign, name="officer-handover"),
    # Both: the printable BAST
    path("<int:contract_id>/bast/cetak/", views.handover_document, name="handover-document"),
    # Both: invoices and payments (the OPD's PPK or Bendahara records them)
    path(
        "<int:contract_id>/pembayaran/",
        payment_views.contract_payments_page,
        name="payments",
    ),
    path("<int:contract_id>/tagihan/baru/", payment_views.invoice_add, name="invoice-add"),
    path("<int:contract_id>/pembayaran/baru/", payment_views.payment_add, name="payment-add"),
    # Vendors
    path("saya/", views.vendor_contracts, name="vendor-contracts"),
    path("saya/<int:contract_id>/", views.vendor_contract, name="vendor-contract"),
    path(
        "saya/pengiriman/<int:delivery_id>/tanggapan/",
        views.vendor_delivery_respond,
        name="vendor-delivery-respond",
    ),
    path(
        "saya/<int:contract_id>/bast/akui/",
        views.vendor_handover_acknowledge,
        name="vendor-handover-acknowledge",
    ),
    path(
        "saya/<int:contract_id>/penilaian/jawab/",
        views.vendor_rating_answer,
        name="vendor-rating-answer",
    ),
]
